/**
 * Linetap's filter language: one line that picks frames, typed into the panel's filter box or
 * given to `--filter` / `--intercept` on the command line. Terms side by side must all match:
 *
 *   c2s name:SET                    SET commands from the client
 *   s2c status>=400 or warning      failed HTTP replies, or any frame with a warning
 *   conn:1,2 -partial "hello"       the exact text "hello", whole frames, connections 1 and 2
 *   kind:reply latency>5ms          slow replies
 *   /^\+OK/ or (name:/^GET$/i size>=4k)
 *
 * Terms
 *   hello           the payload contains "hello", in any case (a bare word)
 *   "Hello, world"  the payload contains exactly this text; escapes \\ \" \n \r \t \0 \xHH
 *                   \u{HEX} \uHHHH (\xHH is the character U+00HH, not a raw byte)
 *   /regex/flags    the payload matches this JavaScript regex (spaces allowed, \/ for a slash);
 *                   flags i, m, s, u
 *   c2s  s2c        the direction; `>` and `<`, as in capture files, mean the same
 *   partial oversize injected held
 *                   the frame's flags
 *   warning         the frame has a warning
 *   re              the frame answers a request (also `reply-to`)
 *   field.NAME      the protocol field NAME is set, and not to false
 *   KEY:VALUE       a comparison (below)
 *
 * Operators, loosest first: `or` (`||`); and, by juxtaposition or `and` (`&&`); `not` (`!`,
 * `-`) before a term. Parentheses group. Keywords ignore case: `AND`, `Or`, `NOT`.
 *
 * A comparison is KEY OP VALUE, written with no spaces, where OP is `:` (or `=`, `==`), `!=`,
 * `>`, `>=`, `<` or `<=`. `:` takes a list, any of which may match (`conn:1,2`), or a /regex/
 * for keys that hold text (`name:/^(GET|SET)$/i`). `!=` means the frame has the key and it is
 * none of the values, while `not KEY:VALUE` also keeps frames without the key. `>` and the
 * others take one number. Keys ignore case; bare values too (name:set finds SET), while quoted
 * values are exact, as for the payload.
 *   dir            c2s or s2c
 *   conn id seq    connection, frame id, position in its connection and direction
 *   re             the frame id of the request a reply answers (`reply-to` too)
 *   time latency   since the session started (`t` too), from request to reply; with a unit, us
 *                  (µs), ms or s, rounded to the microsecond: latency>5ms, t<1.5s, time:0
 *   size           the frame's length in bytes, terminator included; k and m (also kb, kib, mb,
 *                  mib) are 1024 and 1024²: size>=4k
 *   name kind arg  from the annotation: command or reply name, role (request, reply, push,
 *                  data, event), any one argument
 *   term           the rule that ended the frame: crlf, count:7, close...
 *   warning        a warning code: bare-lf, mixed-endings, invalid-utf8, long-line, violation,
 *                  unpaired, truncated
 *   field.NAME     a protocol field, NAME exactly as the framer spells it; status, code (SMTP),
 *                  key, length, ending, opcode, method and path need no `field.`: status>=400. A field
 *                  compares as a number when both sides are numbers, else as text.
 *
 * Quote text that would otherwise read as syntax: keywords, flags and directions (`"or"`,
 * `"partial"`, `">"`), words that start with `-`, `!`, `/` or `(`, and words with a space, a
 * parenthesis, a quote, `&&`, `||`, or a key-like start (`"Host:"`, `"http://x"`, `"a=b"`). A
 * known key followed by a spaced operator (`size > 1000`) is an error, not three terms.
 *
 * The payload is matched as UTF-8 text, invalid bytes reading as U+FFFD. Only its first
 * FILTER_TEXT_LIMIT bytes (64 KiB) are searched, which also bounds the text a slow regex works
 * on; `size` and every other key see the whole frame. Text is decoded at most once per call,
 * and only for filters with a text or regex term. An empty filter matches every frame.
 * `toString()` gives a normal form (lower-case keywords and keys, `not`, aliases resolved) that
 * parses back to the same filter, and `directions` says which way a matching frame can go.
 */
import { parseFilterNode } from './filterParser';
import { compileFilter } from './filterMatcher';
import { type FilterNode, printNode } from './filterSyntax';
import type { Direction, TrafficFrame } from './traffic';

export { FILTER_TEXT_LIMIT } from './filterMatcher';
export { FilterError } from './filterScanner';

/** A parsed filter. */
export interface Filter {
  /** Whether the frame passes the filter. */
  matches(frame: TrafficFrame): boolean;
  /** The normalised text: keywords and keys lower case, `not`, explicit `or`, few parentheses. */
  toString(): string;
  /** The directions a matching frame can have, so intercept gates only those. */
  readonly directions: readonly Direction[];
  /** True for the empty filter, which matches every frame. */
  readonly empty: boolean;
}

/** Parses filter text; throws FilterError with the column and what to change. */
export function parseFilter(text: string): Filter {
  const node = parseFilterNode(text);
  return node ? new ParsedFilter(node) : EMPTY;
}

const EMPTY: Filter = {
  matches: () => true,
  toString: () => '',
  directions: ['c2s', 's2c'],
  empty: true,
};

class ParsedFilter implements Filter {
  readonly directions: readonly Direction[];
  readonly empty = false;
  private readonly test: (frame: TrafficFrame) => boolean;
  private readonly text: string;

  constructor(node: FilterNode) {
    this.test = compileFilter(node);
    this.text = printNode(node);
    this.directions = (['c2s', 's2c'] as const).filter((dir) => possible(node, dir) !== false);
  }

  matches(frame: TrafficFrame): boolean {
    return this.test(frame);
  }

  toString(): string {
    return this.text;
  }
}

/** Whether `node` can match a frame going `dir`: true, false, or undefined for "it depends". */
function possible(node: FilterNode, dir: Direction): boolean | undefined {
  switch (node.type) {
    case 'and':
    case 'or': {
      const results = node.items.map((item) => possible(item, dir));
      const decisive = node.type === 'or';
      if (results.includes(decisive)) return decisive;
      return results.includes(undefined) ? undefined : !decisive;
    }
    case 'not': {
      const result = possible(node.item, dir);
      return result === undefined ? undefined : !result;
    }
    case 'dir':
      return node.dir === dir;
    case 'cmp':
      if (node.key !== 'dir') return undefined;
      return compileFilter(node)(frameGoing(dir));
    default:
      return undefined;
  }
}

function frameGoing(dir: Direction): TrafficFrame {
  return {
    id: 0,
    conn: 0,
    dir,
    seq: 0,
    t: 0,
    bytes: new Uint8Array(0),
    term: '',
    partial: false,
    oversize: false,
    injected: false,
    held: false,
  };
}
