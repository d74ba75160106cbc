// The services a descriptor root defines, and which of them a name given on the command line
// means: fully qualified, or without its package when only one service has that name.
import protobuf from 'protobufjs';

/** Services defined in `root`, fully qualified, sorted. */
export function servicesIn(root: protobuf.Root): string[] {
  const names: string[] = [];
  const walk = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Service) names.push(nested.fullName.replace(/^\./, ''));
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return names.sort();
}

/**
 * The fully qualified services of `known` that `service` names: itself when it is one of them,
 * else those that end in `.service` (`Greeter` names `helloworld.Greeter`, `v1.Health` names
 * `grpc.health.v1.Health`).
 */
export function servicesNamed(service: string, known: readonly string[]): string[] {
  return known.includes(service) ? [service] : known.filter((name) => name.endsWith(`.${service}`));
}
