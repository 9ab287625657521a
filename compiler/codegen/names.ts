// Identifiers and comments for generated code. Every identifier comes from a
// NameSupply (role prefix + counter + sanitised hint); model-provided text only
// ever appears inside comments, after comment() has neutralised it.

const RESERVED = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local ' +
    'alignas alignof and asm bool catch class compl concept consteval constexpr constinit const_cast co_await ' +
    'co_return co_yield decltype delete dynamic_cast explicit export false friend mutable namespace new noexcept ' +
    'not nullptr operator or private protected public reinterpret_cast requires static_assert static_cast template ' +
    'this thread_local throw true try typeid typename using virtual wchar_t xor main ' +
    'threadIdx blockIdx blockDim gridDim warpSize dim3 __global__ __device__ __host__ __shared__ __constant__'
  ).split(' '),
);

/** [A-Za-z0-9] pass; everything else becomes _xx (hex of the UTF-8 byte), so distinct inputs stay distinct. */
export function sanitize(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9]/.test(c) ? c : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export class NameSupply {
  private readonly used = new Set<string>();
  private counter = new Map<string, number>();

  /** `role` is a fixed lowercase prefix (k, t, w...); `hint` any text, sanitised. */
  fresh(role: string, hint = ''): string {
    const n = this.counter.get(role) ?? 0;
    this.counter.set(role, n + 1);
    const h = hint === '' ? '' : `_${hint.split('_').map(sanitize).join('_')}`.slice(0, 48);
    let name = `${role}${n}${h}`;
    while (RESERVED.has(name) || this.used.has(name)) name = `${name}_`;
    this.used.add(name);
    return name;
  }
}

export function isCIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !RESERVED.has(s);
}

/** Model text made safe inside a C block comment: quoted, ASCII-only, no comment start or end, no trigraphs. */
export function comment(text: string): string {
  return JSON.stringify(text)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\*\//g, '*\\/')
    .replace(/\/\*/g, '/\\*')
    .replace(/\?\?/g, '?\\?');
}
