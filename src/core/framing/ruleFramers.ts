/** Framers for the plain rules that need more than "end at every terminator". */
import { Framer, type FramerOptions } from './framer';
import type { Annotation } from './frame';

/** `count:<n>`: fixed-size frames of n bytes. */
export class CountFramer extends Framer {
  constructor(
    private readonly _size: number,
    options?: FramerOptions,
  ) {
    super(_size, `count:${_size}`, options);
  }

  protected override onSegment(): void {
    this.endFrame(undefined);
    // asynchat leaves a finished count at 0 ("collect everything"); a fixed-size rule re-arms.
    this.setTerminator(this._size);
  }
}

/** `line`: frames end at `\n`, with or without a `\r` before it; the ending is recorded. */
export class LineFramer extends Framer {
  private _firstEnding: 'crlf' | 'lf' | undefined;

  constructor(options?: FramerOptions) {
    super(Buffer.from('\n'), 'line', options);
  }

  protected override onSegment(): void {
    const seg = this.segment();
    const ending = seg.length >= 2 && seg[seg.length - 2] === 13 ? 'crlf' : 'lf';
    this._firstEnding ??= ending;
    const ann: Annotation =
      ending === this._firstEnding
        ? { fields: { ending } }
        : {
            fields: { ending },
            warnings: [
              {
                code: 'mixed-endings',
                message: `line ends with ${ending === 'lf' ? '\\n' : '\\r\\n'} but the stream began with ${ending === 'lf' ? '\\r\\n' : '\\n'}`,
              },
            ],
          };
    this.endFrame(ann);
  }
}

/** Width and byte order of a length prefix, and what to add to its value. */
export interface LengthPrefix {
  readonly width: 1 | 2 | 4 | 8;
  readonly endian: 'be' | 'le';
  /** Added to the prefix's value to get the body length (negative when the length counts the prefix). */
  readonly adjust: number;
}

/** `length:<w><be|le>[+-adj]`: binary frames whose body length is in a prefix. */
export class LengthFramer extends Framer {
  private _inBody = false;
  private _bodyLength = 0;

  constructor(
    private readonly _prefix: LengthPrefix,
    spec: string,
    options?: FramerOptions,
  ) {
    super(_prefix.width, spec, options);
  }

  protected override onSegment(): void {
    if (this._inBody) {
      this._inBody = false;
      this.endFrame({ fields: { length: this._bodyLength } });
      this.setTerminator(this._prefix.width);
      return;
    }
    const seg = this.segment();
    const { width, endian } = this._prefix;
    const raw =
      width === 8
        ? Number(endian === 'be' ? seg.readBigUInt64BE(0) : seg.readBigUInt64LE(0))
        : endian === 'be'
          ? seg.readUIntBE(0, width)
          : seg.readUIntLE(0, width);
    const body = raw + this._prefix.adjust;
    if (body < 0 || !Number.isSafeInteger(body)) {
      // Nothing sensible to wait for: show the prefix alone and read the next one.
      this.endFrame({
        fields: { length: raw },
        warnings: [
          {
            code: 'violation',
            message: `length prefix ${raw} with adjustment ${this._prefix.adjust} gives a body of ${body} bytes`,
          },
        ],
      });
      this.setTerminator(width);
    } else if (body === 0) {
      this.endFrame({ fields: { length: 0 } });
      this.setTerminator(width);
    } else {
      this._inBody = true;
      this._bodyLength = body;
      this.setTerminator(body);
    }
  }

  protected override describeTruncated(): Annotation {
    return {
      warnings: [
        {
          code: 'truncated',
          message: this._inBody
            ? `stream ended inside a ${this._bodyLength}-byte body`
            : `stream ended inside a ${this._prefix.width}-byte length prefix`,
        },
      ],
    };
  }
}
