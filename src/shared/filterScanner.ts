/**
 * The lexical layer of the filter language: quoted text, /regex/ literals, words, the
 * delimiters between them, and FilterError. filterParser.ts builds the grammar on top.
 */
/** A filter that cannot be parsed; `column` counts from 1 and the message says what to change. */
export class FilterError extends Error {
  constructor(
    readonly filter: string,
    readonly column: number,
    what: string,
    how?: string,
  ) {
    super(`${what} at column ${column}${how ? `; ${how}` : ''}`);
    this.name = 'FilterError';
  }
}

const REGEX_FLAGS = 'imsu';
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
};

/** Reads filter text left to right; every problem is reported with its column. */
export class FilterScanner {
  protected pos = 0;

  constructor(protected readonly src: string) {}

  /** Reads "text" with escapes; pos is on the opening quote. */
  protected readQuoted(): string {
    const open = this.pos;
    let out = '';
    let i = open + 1;
    for (let ch = this.src[i]; ch !== '"'; ch = this.src[i]) {
      if (ch === undefined || (ch === '\\' && i + 1 >= this.src.length)) {
        this.fail(open, 'unclosed quote', 'end the text with " (write \\" for a quote inside it)');
      }
      if (ch !== '\\') {
        out += ch;
        i++;
        continue;
      }
      const esc = this.src[i + 1];
      const hex = esc === 'x' ? /^[0-9a-fA-F]{2}/.exec(this.src.slice(i + 2)) : null;
      const uni =
        esc === 'u'
          ? /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(this.src.slice(i + 2))
          : null;
      const code = hex ? parseInt(hex[0], 16) : uni ? parseInt(uni[1] ?? uni[2], 16) : -1;
      if (Object.hasOwn(ESCAPES, esc)) out += ESCAPES[esc];
      else if (code >= 0 && code <= 0x10ffff) out += String.fromCodePoint(code);
      else {
        const what = esc === 'x' || esc === 'u' ? 'bad escape' : 'unknown escape';
        this.fail(i, `${what} "\\${esc}"`, 'use \\\\ \\" \\n \\r \\t \\0 \\xHH or \\u{HEX}');
      }
      i += 2 + (hex ? 2 : uni ? uni[0].length : 0);
    }
    this.pos = i + 1;
    return out;
  }

  /** Reads /source/flags and compiles it; pos is on the opening slash. */
  protected readRegex(): { source: string; flags: string; re: RegExp } {
    const open = this.pos;
    let i = open + 1;
    let inClass = false;
    for (let ch = this.src[i]; inClass || ch !== '/'; ch = this.src[i]) {
      if (ch === undefined) {
        this.fail(open, 'unclosed /regex/', 'end it with / (write \\/ for a slash inside it)');
      }
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      i += ch === '\\' ? 2 : 1;
    }
    const source = this.src.slice(open + 1, i);
    if (source === '') this.fail(open, 'empty /regex/', 'put a pattern between the slashes');
    const flags = /^[A-Za-z]*/.exec(this.src.slice(i + 1))?.[0] ?? '';
    [...flags].forEach((flag, k) => {
      if (!REGEX_FLAGS.includes(flag) || flags.indexOf(flag) !== k) {
        this.fail(i + 1 + k, `bad regex flag "${flag}"`, 'use each of i, m, s and u at most once');
      }
    });
    this.pos = i + 1 + flags.length;
    try {
      const re = new RegExp(source, flags);
      return { source, flags: re.flags, re };
    } catch (e) {
      const why = (e as Error).message.replace(/^.*: /, '');
      return this.fail(open, `invalid regular expression /${source}/: ${why}`, 'fix the pattern');
    }
  }

  /** Reads up to the next delimiter (or comma, in a value); a quote in the middle is an error. */
  protected readItem(inValue: boolean): string {
    const start = this.pos;
    while (!this.atDelimiter(this.pos) && !(inValue && this.src[this.pos] === ',')) {
      if (this.src[this.pos] === '"') {
        this.fail(
          this.pos,
          'a quote inside a word',
          'put a space before it, or quote the whole text',
        );
      }
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  /** The text from `at` up to the next delimiter, without moving. */
  protected peekWord(at: number): string {
    let end = at;
    while (!this.atDelimiter(end)) end++;
    return this.src.slice(at, end);
  }

  protected expectDelimiter(what: string): void {
    if (!this.atDelimiter(this.pos)) {
      this.fail(
        this.pos,
        `unexpected "${this.src[this.pos]}" after ${what}`,
        'put a space before it',
      );
    }
  }

  protected atDelimiter(at: number): boolean {
    const ch = this.src[at];
    return (
      ch === undefined ||
      /\s/.test(ch) ||
      ch === '(' ||
      ch === ')' ||
      this.src.startsWith('&&', at) ||
      this.src.startsWith('||', at)
    );
  }

  protected atWord(word: string): boolean {
    const end = this.pos + word.length;
    return this.src.slice(this.pos, end).toLowerCase() === word && this.atDelimiter(end);
  }

  protected orToken(): number {
    return this.src.startsWith('||', this.pos) || this.atWord('or') ? 2 : 0;
  }

  protected andToken(): number {
    return this.src.startsWith('&&', this.pos) ? 2 : this.atWord('and') ? 3 : 0;
  }

  protected skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  protected fail(at: number, what: string, how?: string): never {
    throw new FilterError(this.src, at + 1, what, how);
  }
}
