// The parts of /etc/resolv.conf that decide how many DNS queries a short name costs: the
// search list and `ndots` (resolv.conf(5)). Used for the in-cluster hints, not for resolving.
import { readFileSync } from 'node:fs';

/** The system resolver's search settings. */
export interface ResolvConf {
  /** `search` (or `domain`) list, in order; the last such line wins, as in resolv.conf(5). */
  readonly search: readonly string[];
  /** `options ndots:n`: names with fewer dots try the search list first. Default 1, at most 15 (resolv.conf(5)). */
  readonly ndots: number;
}

/** Where glibc reads it. */
export const RESOLV_CONF_PATH = '/etc/resolv.conf';

/** Parses resolv.conf text. Unknown lines and comments (`#`, `;`) are ignored. Pure. */
export function parseResolvConf(text: string): ResolvConf {
  let search: string[] = [];
  let ndots = 1;
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') {
      search = values.filter((value) => value !== '');
    } else if (keyword === 'options') {
      for (const option of values) {
        const match = /^ndots:(\d+)$/.exec(option);
        if (match !== null) ndots = Math.min(15, Number(match[1]));
      }
    }
  }
  return { search, ndots };
}

/** Reads and parses `path`; null when it cannot be read. */
export function readResolvConf(path: string = RESOLV_CONF_PATH): ResolvConf | null {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
