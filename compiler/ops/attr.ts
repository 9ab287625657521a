// Attribute schemas: type, default, allowed values. Import checks every node's
// attributes against its op's schema and fills in defaults; nothing is ignored.
import type { AttrValue } from '../ir/graph.ts';

export type AttrKind = 'int' | 'float' | 'ints' | 'floats' | 'string' | 'strings' | 'tensor';

export interface AttrSpec {
  readonly kind: AttrKind;
  /** Default by opset (a function) or fixed; absent = required unless `optional`. */
  readonly default?: AttrValue | ((opset: number) => AttrValue | undefined);
  readonly optional?: boolean;
  /** Allowed values for int/string attributes; printed in errors and docs. */
  readonly allowed?: readonly (number | string)[];
  /** Extra check; returns what is expected when the value is refused. */
  readonly check?: (v: AttrValue) => string | undefined;
  readonly doc?: string;
}

type Opts = Omit<AttrSpec, 'kind'>;
export const attr = {
  int: (o: Opts = {}): AttrSpec => ({ kind: 'int', ...o }),
  float: (o: Opts = {}): AttrSpec => ({ kind: 'float', ...o }),
  ints: (o: Opts = {}): AttrSpec => ({ kind: 'ints', ...o }),
  floats: (o: Opts = {}): AttrSpec => ({ kind: 'floats', ...o }),
  string: (o: Opts = {}): AttrSpec => ({ kind: 'string', ...o }),
  strings: (o: Opts = {}): AttrSpec => ({ kind: 'strings', ...o }),
  tensor: (o: Opts = {}): AttrSpec => ({ kind: 'tensor', ...o }),
};

export function defaultFor(spec: AttrSpec, opset: number): AttrValue | undefined {
  return typeof spec.default === 'function' ? spec.default(opset) : spec.default;
}
