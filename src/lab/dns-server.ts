// A tiny authoritative DNS server on loopback UDP for the lab's headless Service: A records
// for the names it knows, with the wire format done by the `dns-packet` library.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import dnsPacket from 'dns-packet';

/** CoreDNS's default TTL for Kubernetes records, seconds (CoreDNS kubernetes plugin `ttl`). */
export const DEFAULT_TTL_SECONDS = 5;
/** NXDOMAIN response code (RFC 1035 section 4.1.1). */
const RCODE_NXDOMAIN = 3;

/** Answers a name with the addresses it has now, or null when the name is unknown. */
export type RecordSource = (name: string) => readonly string[] | null;

/**
 * Serves A records from a {@link RecordSource}, read at every query so the records follow the
 * lab as backends come and go.
 *
 * - A query for a known name: one A record per IPv4 address, TTL `ttlSeconds`.
 * - Any other query type for a known name: NOERROR with an empty answer (grpc-js also asks
 *   AAAA and TXT; an empty answer means "none", not an error).
 * - Unknown name: NXDOMAIN. Malformed packets: dropped, counted in `malformed`.
 *
 * Events: `query` ({name, type}) after each answered query.
 */
export class DnsServer extends EventEmitter {
  private readonly socket = dgram.createSocket('udp4');
  /** Packets that could not be decoded. */
  malformed = 0;
  /** false: queries are dropped unanswered, as by a DNS server that hangs or a lost network path. */
  answering = true;

  constructor(
    private readonly records: RecordSource,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {
    super();
    this.socket.on('message', (message, remote) => this.answer(message, remote));
  }

  /**
   * Binds the UDP socket.
   * @throws Error (the socket's, e.g. EADDRINUSE) when it cannot be bound.
   */
  start(host = '127.0.0.1', port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port, host, () => {
        this.socket.off('error', reject);
        this.socket.on('error', () => undefined);
        resolve();
      });
    });
  }

  /** `IP:PORT`, for a target's DNS authority (`dns://IP:PORT/name:port`). */
  get address(): string {
    const bound = this.socket.address();
    return `${bound.address}:${bound.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, remote: dgram.RemoteInfo): void {
    if (!this.answering) return;
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      this.malformed += 1;
      return;
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || question === undefined) {
      this.malformed += 1;
      return;
    }
    const name = question.name.replace(/\.$/, '').toLowerCase();
    const addresses = this.records(name);
    const answers: dnsPacket.Answer[] =
      addresses !== null && question.type === 'A'
        ? addresses.map((address) => ({ type: 'A', name: question.name, ttl: this.ttlSeconds, class: 'IN', data: address }))
        : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (addresses === null ? RCODE_NXDOMAIN : 0),
      questions: [question],
      answers,
    });
    this.socket.send(response, remote.port, remote.address);
    this.emit('query', { name, type: question.type });
  }
}
