// The shared test support's entry point; each module is re-exported here as it moves in.
export {};
