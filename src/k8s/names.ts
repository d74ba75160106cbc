// The rules Kubernetes applies to the names and values our manifests carry: DNS-1123 labels and
// subdomains, ConfigMap keys, container image references. Each check returns why a value is
// refused, or null, so the CLI can name the flag before kubectl (or the kubelet) refuses it.

/**
 * A DNS-1123 label: at most 63 characters of `a-z 0-9 -`, starting and ending with a letter or
 * digit. Namespaces, Services and most object names must be one (Kubernetes
 * `k8s.io/apimachinery/pkg/util/validation` `IsDNS1123Label`).
 * @returns why `value` is not one, or null.
 */
export function dns1123LabelProblem(value: string): string | null {
  if (value.length === 0) return 'expected a non-empty name';
  if (value.length > 63) return `expected at most 63 characters (got ${value.length})`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    return 'expected a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit';
  }
  return null;
}

/**
 * A ConfigMap data key: at most 253 characters of `A-Z a-z 0-9 - _ .`, not `.` or `..`
 * (`IsConfigMapKey`).
 * @returns why `value` is not one, or null.
 */
export function configMapKeyProblem(value: string): string | null {
  if (value.length === 0 || value.length > 253) return 'expected 1 to 253 characters';
  if (!/^[-._a-zA-Z0-9]+$/.test(value)) return 'expected only letters, digits, "-", "_" and "."';
  if (value === '.' || value === '..') return 'expected a name other than "." and ".."';
  return null;
}

// The reference grammar of the OCI distribution project (github.com/distribution/reference,
// regexp.go): [domain[:port]/]path[:tag][@digest], path components lower case.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`);
/** Longest repository name a reference may carry (distribution/reference `NameTotalLengthMax`). */
const MAX_IMAGE_NAME = 255;

/**
 * A container image reference, `[registry[:port]/]path[:tag][@digest]`, as the distribution
 * project parses it (what the kubelet hands the container runtime).
 * @returns why `value` is not one, or null.
 */
export function imageReferenceProblem(value: string): string | null {
  const match = REFERENCE.exec(value);
  if (match === null) {
    return 'expected an image reference such as registry.example/team/grpclb-probe:0.1.0 (lower-case path, optional :tag and @sha256:digest)';
  }
  if ((match[1] as string).length > MAX_IMAGE_NAME) return `expected a repository name of at most ${MAX_IMAGE_NAME} characters`;
  return null;
}
