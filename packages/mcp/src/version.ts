// The version's one home is package.json (changesets bumps it); the build inlines it.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
