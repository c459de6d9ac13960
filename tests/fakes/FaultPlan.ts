/** Random faults: each request (of `methods`, when given) gets one of `faults` with `probability`. */
export interface RandomFaults<TFault, TMethod extends string> {
  probability: number;
  faults: TFault[];
  methods?: TMethod[];
}

/**
 * The faults a fake API injects: scripted ones first (used in order, each by the next request
 * of its method, or of any method when it names none), then random ones drawn from `random`.
 */
export class FaultPlan<TFault, TMethod extends string> {
  private readonly scripted: { fault: TFault; method?: TMethod }[] = [];
  private randomFaults: RandomFaults<TFault, TMethod> | null = null;

  constructor(private readonly random: () => number) {}

  enqueue(fault: TFault, method?: TMethod): void {
    this.scripted.push(method ? { fault, method } : { fault });
  }

  /** null turns random faults off. */
  setRandom(config: RandomFaults<TFault, TMethod> | null): void {
    this.randomFaults = config;
  }

  /**
   * The fault for this request of `method`, or null. With `namedOnly`, a scripted fault must
   * name this method (a wrapper request such as a batch leaves "the next request" faults to
   * the calls inside it).
   */
  pick(method: TMethod, namedOnly = false): TFault | null {
    const index = this.scripted.findIndex(
      (s) => (s.method === undefined && !namedOnly) || s.method === method,
    );
    if (index !== -1) return this.scripted.splice(index, 1)[0]?.fault ?? null;
    const random = this.randomFaults;
    if (!random || (random.methods && !random.methods.includes(method))) return null;
    if (this.random() >= random.probability) return null;
    return random.faults[Math.floor(this.random() * random.faults.length)] ?? null;
  }
}
