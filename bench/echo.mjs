// The bench's custom service: fixtures/echo.proto through @grpc/proto-loader, for the server
// and for the bare loop (A) of the dynamic-message row.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

export const ECHO_PROTO = fileURLToPath(new URL('../fixtures/echo.proto', import.meta.url));
export const ECHO_INCLUDE = fileURLToPath(new URL('../fixtures/include', import.meta.url));
export const ECHO_CALL = 'grpclbprobe.echo.Echo/Say';
export const ECHO_REQUEST = { text: 'grpclb-probe', repeat: 1 };

const definition = protoLoader.loadSync(ECHO_PROTO, { keepCase: true, defaults: true, includeDirs: [ECHO_INCLUDE] });
/** `grpclbprobe.echo.Echo`, for server.addService; `echoSay` has its path and codecs. */
export const echoService = grpc.loadPackageDefinition(definition).grpclbprobe.echo.Echo.service;
export const echoSay = echoService.Say;
