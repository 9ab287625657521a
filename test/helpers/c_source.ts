// A small C/C++ lexer for checks on generated source: separates comments,
// string/char literals and code, so tests can ask what appears outside comments.

export interface SplitSource {
  /** The source with every comment replaced by one space and every literal by "" or ''. */
  readonly code: string;
  readonly comments: readonly string[];
  /** String literal contents, as written (escapes not decoded). */
  readonly strings: readonly string[];
}

export function splitSource(src: string): SplitSource {
  let code = '';
  const comments: string[] = [];
  const strings: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      comments.push(src.slice(i, stop));
      code += ' ';
      i = stop;
    } else if (c === '/' && next === '/') {
      // A line comment ends at a newline not preceded by a backslash (line splice).
      let j = i + 2;
      while (j < src.length && !(src[j] === '\n' && src[j - 1] !== '\\')) j++;
      comments.push(src.slice(i, j));
      code += ' ';
      i = j;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      if (c === '"') strings.push(src.slice(i + 1, j));
      code += c + c;
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, comments, strings };
}

/** Identifiers in code (comments and literals removed). */
export function identifiers(code: string): Set<string> {
  return new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
}

const KEYWORDS_BEFORE_CALL = new Set(['return', 'else', 'case', 'do', 'sizeof']);

/**
 * Identifiers immediately followed by '(' in code: calls and macro uses. With
 * `declarations: false`, skips names declared right there (after a type name or
 * a template's '>': function definitions, `std::lock_guard<M> guard(m)`).
 */
export function calledNames(code: string, opts: { declarations?: boolean } = {}): Set<string> {
  const toks = code.match(/[A-Za-z_][A-Za-z0-9_]*|\S/g) ?? [];
  const out = new Set<string>();
  toks.forEach((t, i) => {
    if (toks[i + 1] !== '(' || !/^[A-Za-z_]/.test(t)) return;
    const prev = toks[i - 1] ?? '';
    const declared = prev === '>' || (/^[A-Za-z_]/.test(prev) && !KEYWORDS_BEFORE_CALL.has(prev));
    if (opts.declarations !== false || !declared) out.add(t);
  });
  return out;
}
