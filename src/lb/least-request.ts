// The `least_request` LB policy, registered with grpc-js: power of two random choices (P2C) on
// outstanding RPCs per endpoint, over child subchannels managed as grpc-js's round_robin does.
import grpc, { experimental, type ChannelOptions } from '@grpc/grpc-js';

type Endpoint = experimental.Endpoint;
type Picker = experimental.Picker;
type PickResult = experimental.PickResult;

/** The name in a service config's `loadBalancingConfig` (`{"least_request": {"choiceCount": 2}}`). */
export const LEAST_REQUEST = 'least_request';

/** Choices per pick: default 2, clamped to 2..10 as gRPC proposal A48 (xDS least_request) specifies. */
export const DEFAULT_CHOICE_COUNT = 2;
const MAX_CHOICE_COUNT = 10;

const { ConnectivityState } = { ConnectivityState: grpc.connectivityState };

/** The parsed config: `{choiceCount}` (A48's `LeastRequestLbConfig.choice_count`). */
export class LeastRequestConfig implements experimental.TypedLoadBalancingConfig {
  constructor(readonly choiceCount: number = DEFAULT_CHOICE_COUNT) {}

  getLoadBalancerName(): string {
    return LEAST_REQUEST;
  }

  toJsonObject(): object {
    return { [LEAST_REQUEST]: { choiceCount: this.choiceCount } };
  }

  /** @throws Error when `choiceCount` is not a number (grpc-js then rejects the service config). */
  static createFromJson(json: unknown): LeastRequestConfig {
    const raw = (json as { choiceCount?: unknown } | null)?.choiceCount;
    if (raw === undefined) return new LeastRequestConfig();
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new Error('least_request config: choiceCount must be a number');
    return new LeastRequestConfig(Math.min(MAX_CHOICE_COUNT, Math.max(DEFAULT_CHOICE_COUNT, Math.floor(raw))));
  }
}

/** Outstanding RPCs on one endpoint: started, not yet ended. Lives as long as the endpoint's child. */
interface Outstanding {
  count: number;
}

interface ReadyChild {
  readonly picker: Picker;
  readonly outstanding: Outstanding;
}

/**
 * Picks `choiceCount` ready children at random (with replacement, as Envoy and A48 do) and
 * sends the RPC to the one with the fewest outstanding RPCs; ties go to the first drawn,
 * which is itself random.
 */
class LeastRequestPicker implements experimental.Picker {
  constructor(
    private readonly children: readonly ReadyChild[],
    private readonly choiceCount: number,
  ) {}

  pick(pickArgs: experimental.PickArgs): PickResult {
    let best = this.children[Math.floor(Math.random() * this.children.length)] as ReadyChild;
    for (let choice = 1; choice < this.choiceCount; choice += 1) {
      const candidate = this.children[Math.floor(Math.random() * this.children.length)] as ReadyChild;
      if (candidate.outstanding.count < best.outstanding.count) best = candidate;
    }
    const result = best.picker.pick(pickArgs);
    if (result.pickResultType !== experimental.PickResultType.COMPLETE) return result;
    const { outstanding } = best;
    const childStarted = result.onCallStarted;
    const childEnded = result.onCallEnded;
    let started = false;
    // Counted from the call's start to its end: a pick that never starts (the subchannel went
    // away in between, and the call picks again) leaves no phantom RPC behind.
    return {
      ...result,
      onCallStarted: () => {
        started = true;
        outstanding.count += 1;
        childStarted?.();
      },
      onCallEnded: (code, details, metadata) => {
        if (started) outstanding.count -= 1;
        started = false;
        childEnded?.(code, details, metadata);
      },
    };
  }
}

interface ChildEntry {
  readonly child: experimental.LeafLoadBalancer;
  readonly outstanding: Outstanding;
}

/**
 * least_request: Envoy's LEAST_REQUEST (envoyproxy.io docs, "Load balancers": "power of two
 * choices" when all weights are equal) and Linkerd's P2C, for grpc-js. Children are one
 * `LeafLoadBalancer` (a pick_first) per endpoint, kept connected, with re-resolution asked
 * when a READY child drops, exactly as grpc-js's load-balancer-round-robin.ts and
 * load-balancer-weighted-round-robin.ts (1.14) manage theirs; only the picker differs.
 * Children survive address updates by endpoint, so their outstanding counts do too.
 */
export class LeastRequestLoadBalancer implements experimental.LoadBalancer {
  private readonly children = new Map<string, ChildEntry>();
  private currentState: grpc.connectivityState = ConnectivityState.IDLE;
  private updatesPaused = false;
  private lastError: string | null = null;
  private config = new LeastRequestConfig();
  private readonly childHelper: experimental.ChannelControlHelper;

  constructor(private readonly helper: experimental.ChannelControlHelper) {
    this.childHelper = experimental.createChildChannelControlHelper(helper, {
      updateState: (state, _picker, errorMessage) => {
        // As grpc-js round_robin: a READY policy whose child drops asks for re-resolution
        // (the resolver rate-limits it: grpc.dns_min_time_between_resolutions_ms).
        if (this.currentState === ConnectivityState.READY && state !== ConnectivityState.READY) {
          this.helper.requestReresolution();
        }
        if (errorMessage) this.lastError = errorMessage;
        this.calculateAndUpdateState();
      },
    });
  }

  private countChildren(state: grpc.connectivityState): number {
    let count = 0;
    for (const { child } of this.children.values()) if (child.getConnectivityState() === state) count += 1;
    return count;
  }

  private calculateAndUpdateState(): void {
    if (this.updatesPaused) return;
    const ready = [...this.children.values()].filter(({ child }) => child.getConnectivityState() === ConnectivityState.READY);
    if (ready.length > 0) {
      const children = ready.map(({ child, outstanding }) => ({ picker: child.getPicker(), outstanding }));
      this.updateState(ConnectivityState.READY, new LeastRequestPicker(children, this.config.choiceCount), null);
    } else if (this.countChildren(ConnectivityState.CONNECTING) > 0) {
      this.updateState(ConnectivityState.CONNECTING, new experimental.QueuePicker(this), null);
    } else if (this.countChildren(ConnectivityState.TRANSIENT_FAILURE) > 0) {
      const message = `least_request: No connection established. Last error: ${this.lastError}`;
      this.updateState(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ details: message }), message);
    } else {
      this.updateState(ConnectivityState.IDLE, new experimental.QueuePicker(this), null);
    }
    // Keep every child connected, as round_robin does.
    for (const { child } of this.children.values()) {
      if (child.getConnectivityState() === ConnectivityState.IDLE) child.exitIdle();
    }
  }

  private updateState(state: grpc.connectivityState, picker: Picker, errorMessage: string | null): void {
    this.currentState = state;
    this.helper.updateState(state, picker, errorMessage);
  }

  updateAddressList(
    endpoints: experimental.StatusOr<Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    resolutionNote: string,
  ): boolean {
    if (!(config instanceof LeastRequestConfig)) return false;
    this.config = config;
    if (!endpoints.ok) {
      if (this.children.size === 0) {
        this.updateState(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker(endpoints.error), endpoints.error.details);
      }
      return true;
    }
    if (endpoints.value.length === 0) {
      const message = `No addresses resolved. Resolution note: ${resolutionNote}`;
      this.updateState(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ details: message }), message);
    }
    this.updatesPaused = true;
    const seen = new Set<string>();
    for (const endpoint of endpoints.value) {
      const key = experimental.endpointToString(endpoint);
      seen.add(key);
      if (!this.children.has(key)) {
        this.children.set(key, {
          child: new experimental.LeafLoadBalancer(endpoint, this.childHelper, options, resolutionNote),
          outstanding: { count: 0 },
        });
      }
    }
    for (const [key, entry] of this.children) {
      if (seen.has(key)) {
        entry.child.startConnecting();
      } else {
        entry.child.destroy();
        this.children.delete(key);
      }
    }
    this.updatesPaused = false;
    this.calculateAndUpdateState();
    return true;
  }

  exitIdle(): void {
    // Only IDLE with no addresses; nothing to do (as round_robin).
  }

  resetBackoff(): void {
    // No backoff of its own.
  }

  destroy(): void {
    for (const { child } of this.children.values()) child.destroy();
    this.children.clear();
  }

  getTypeName(): string {
    return LEAST_REQUEST;
  }
}

let registered = false;

/**
 * Registers `least_request` with grpc-js (`experimental.registerLoadBalancerType`); idempotent.
 * Channels created afterwards accept `{"loadBalancingConfig": [{"least_request": {}}]}`.
 */
export function registerLeastRequest(): void {
  if (registered) return;
  experimental.registerLoadBalancerType(LEAST_REQUEST, LeastRequestLoadBalancer, LeastRequestConfig);
  registered = true;
}
