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

const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The five fields of a standard cron schedule: name, lowest, highest, names for 0.. (or from 1 for months). */
const CRON_FIELDS: readonly (readonly [string, number, number, readonly string[]])[] = [
  ['minute', 0, 59, []],
  ['hour', 0, 23, []],
  ['day of month', 1, 31, []],
  ['month', 1, 12, MONTHS],
  ['day of week', 0, 6, DAYS],
];

/** One value of a cron field: a number in range, or a name (JAN, MON). */
function cronValue(text: string, field: (typeof CRON_FIELDS)[number]): number | null {
  const [, low, high, names] = field;
  const named = names.indexOf(text.toLowerCase());
  if (named >= 0) return named + low;
  if (!/^\d+$/.test(text) || Number(text) < low || Number(text) > high) return null;
  return Number(text);
}

/** Why one comma-separated part of a cron field is refused, or null: `*`, `?`, `a`, `a-b`, each with an optional `/step`. */
function cronPartProblem(part: string, field: (typeof CRON_FIELDS)[number]): string | null {
  const [name, low, high] = field;
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `the ${name} field has a bad step in "${part}"`;
  if (range === '*' || (range === '?' && (name === 'day of month' || name === 'day of week'))) return null;
  const [from, to, more] = (range as string).split('-');
  const first = cronValue(from as string, field);
  const last = to === undefined ? first : cronValue(to, field);
  if (more !== undefined || first === null || last === null || last < first) return `the ${name} field takes ${low}-${high}${field[3].length > 0 ? ' or names' : ''}, not "${part}"`;
  return null;
}

/**
 * A CronJob schedule as Kubernetes parses it (robfig/cron `ParseStandard`): five fields,
 * minute hour day-of-month month day-of-week, each `*`, numbers, ranges, lists and `/step`,
 * month and day names; or a descriptor such as `@hourly`. Time zones go in the CronJob's
 * `timeZone`, not the schedule (`TZ=` is refused by the API server since 1.27).
 * @returns why `value` is not one, or null.
 */
export function cronScheduleProblem(value: string): string | null {
  const text = value.trim();
  if (text.startsWith('@')) {
    return CRON_DESCRIPTORS.has(text.toLowerCase()) ? null : `expected five fields or one of ${[...CRON_DESCRIPTORS].join(', ')}`;
  }
  if (/^(CRON_)?TZ=/.test(text)) return 'a time zone is not part of the schedule';
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `expected five fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [index, field] of fields.entries()) {
    for (const part of field.split(',')) {
      const problem = cronPartProblem(part, CRON_FIELDS[index] as (typeof CRON_FIELDS)[number]);
      if (problem !== null) return problem;
    }
  }
  return null;
}
