// Process entry: switch grpc-js's DNS resolver as the command line needs, then load the CLI.
// grpc-js must not be imported before this decision, hence the dynamic import.
import { argvNeedsAlternativeResolver, enableAlternativeResolver } from '../grpc/alternative-resolver.js';

const argv = process.argv.slice(2);
if (argvNeedsAlternativeResolver(argv)) {
  enableAlternativeResolver();
}
const { main } = await import('./main.js');
await main(argv);
