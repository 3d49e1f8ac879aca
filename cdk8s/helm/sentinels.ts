/**
 * Sentinels: unique values put into a values tree so that, after synthesis, every place a value
 * landed can be found again and turned into the Helm expression that reads it.
 */
export class Sentinels {
  /** sentinel text -> Helm expression. */
  public readonly exprs = new Map<string, string>();
  /** Sentinels that stand for numbers (rendered back as strings when found inside strings). */
  public readonly numeric = new Set<string>();
  private nextNumber = 7_000_001;
  private nextString = 1;

  /** A string sentinel for `expr` (e.g. `.Values.image.tag`). */
  str(expr: string, suffix = ''): string {
    const s = `zzs${this.nextString++}zz${suffix}`;
    this.exprs.set(s, expr);
    return s;
  }

  /** A numeric sentinel; later calls return larger numbers, so ordering invariants can be met. */
  num(expr: string): number {
    const n = this.nextNumber;
    this.nextNumber += 1;
    this.exprs.set(String(n), expr);
    this.numeric.add(String(n));
    return n;
  }

  /** A fractional sentinel in (0, 1) for ratios. */
  ratio(expr: string): number {
    const n = Number(`0.${this.nextNumber++}`);
    this.exprs.set(String(n), expr);
    this.numeric.add(String(n));
    return n;
  }

  /** The literal sentinel used for the release name (also appears inside names). */
  static readonly RELEASE = 'zzrelzz';

  /** The literal sentinel used for the release namespace (.Release.Namespace). */
  static readonly NAMESPACE = 'zznszz';
}
