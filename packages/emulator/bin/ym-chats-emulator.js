#!/usr/bin/env node
// Committed entry point: npm links `ym-chats-emulator` at install time, before `prepare` has built dist/.
import '../dist/bin.js';
