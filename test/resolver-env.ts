// Side effect only: tests use `dns://127.0.0.1:PORT/...` targets against their own DNS
// server, which grpc-js honours only with its alternative resolver, read when grpc-js loads.
import { enableAlternativeResolver } from '../src/grpc/alternative-resolver.js';

enableAlternativeResolver();
