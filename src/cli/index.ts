// Process entry: switch grpc-js's DNS resolver as the command line needs, then load the CLI.
// grpc-js must not be imported before this decision, hence the dynamic import. No top-level
// await: the single executable bundles this file as CommonJS (scripts/sea.mjs).
import { argvNeedsAlternativeResolver, enableAlternativeResolver } from '../grpc/alternative-resolver.js';

const argv = process.argv.slice(2);
if (argvNeedsAlternativeResolver(argv)) {
  enableAlternativeResolver();
}
void import('./main.js').then(({ main }) => main(argv));
