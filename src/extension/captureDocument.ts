/**
 * A capture file open in the capture viewer: its index (frames on disk, framed under the
 * header's specs so the protocol annotations come back, or re-framed under others), shared by
 * the editors showing it. A re-frame streams the file again into a new index with the same
 * bounds, and the editors switch to it at once, watching it grow as they did the first one.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatCaptureError } from '../core/capture/captureDecode';
import { CaptureIndex } from '../core/capture/captureIndex';
import type { SourceInfo } from '../shared/protocol';
import { describeSpecs, type DirectionSpecs, type Reframing } from './framingChoices';

/** Bytes read from a capture file at a time. */
const READ_CHUNK = 256 * 1024;

/** Where and how big an index may be. */
export interface CaptureIndexLimits {
  /** Frames kept decoded in memory. */
  readonly frames?: number;
  /** Where the index keeps its frames (default: the system's temporary folder). */
  readonly scratchDir?: string;
}

/** A capture file and its index. */
export class CaptureDocument implements vscode.CustomDocument {
  info: SourceInfo;
  /** The frames on disk; none when the file could not be read. */
  index: CaptureIndex | undefined;
  /** Problems met while reading, for the notices: the header's, then the current index's. */
  problems: string[] = [];
  /** Resolves once the current index is complete (or indexing failed or was replaced). */
  loaded: Promise<void> = Promise.resolve();
  /** The framing the frames are shown under. */
  reframing: Reframing = 'recorded';
  private readonly _onDidReframe = new vscode.EventEmitter<void>();
  /** The index was replaced by a re-frame. */
  readonly onDidReframe = this._onDidReframe.event;
  /** Bumped by each re-frame: a slower earlier one sees it and gives up its index. */
  private _reframes = 0;
  private _disposed = false;

  private constructor(
    readonly uri: vscode.Uri,
    /** The file's size, for the progress bar. */
    readonly size: number,
    private readonly _limits: CaptureIndexLimits,
  ) {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    this.info = {
      kind: 'capture',
      title: name,
      // The header shows the title next to this: it says what the file holds, not its name.
      description: '',
      framing: { c2s: '', s2c: '' },
      interactive: false,
    };
  }

  /** Reads the header (so the panel's init is right), then indexes in the background. */
  static async create(uri: vscode.Uri, limits: CaptureIndexLimits): Promise<CaptureDocument> {
    const stat = await vscode.workspace.fs.stat(uri);
    const doc = new CaptureDocument(uri, stat.size, limits);
    let index: CaptureIndex;
    try {
      index = await doc._open('recorded');
    } catch (e) {
      doc.problems.push(`cannot open ${uri.fsPath}: ${(e as Error).message}`);
      return doc;
    }
    doc._use(index);
    if (!index.header) {
      doc.problems.push(
        'the file has no Linetap header on its first line: is it a .linetap capture?',
      );
    }
    return doc;
  }

  /** The framing recorded in the header, when the file has one. */
  get recorded(): DirectionSpecs | undefined {
    return this.index?.header?.framing;
  }

  /**
   * Indexes the file anew under `reframing` and makes it the current index once its header is
   * read; the old index stops and its scratch files go. Rejects, keeping the old frames, when
   * the file cannot be read again.
   */
  async reframe(reframing: Reframing): Promise<void> {
    if (!this.recorded) throw new Error(`${this.info.title} has no Linetap header`);
    const ticket = ++this._reframes;
    const index = await this._open(reframing);
    if (ticket !== this._reframes || this._disposed) {
      void index.dispose();
      return;
    }
    const old = this.index;
    this.reframing = reframing;
    this._use(index);
    this._onDidReframe.fire();
    // After the editors let go of it: a read of theirs still in flight answers nothing.
    void old?.dispose();
  }

  private async _open(reframing: Reframing): Promise<CaptureIndex> {
    const { scratchDir, frames } = this._limits;
    if (scratchDir) await fs.promises.mkdir(scratchDir, { recursive: true });
    return CaptureIndex.open(this._chunks(), {
      // The ring setting bounds the frames a viewer keeps decoded in memory too.
      cacheFrames: frames,
      dir: scratchDir,
      ...(reframing === 'recorded' ? {} : { specs: reframing, mode: 'reframe' }),
    });
  }

  private _use(index: CaptureIndex): void {
    this.index = index;
    const problems: string[] = [];
    this.problems = problems;
    this.loaded = index.done.then(() => {
      problems.push(...this._indexProblems(index));
    });
    const header = index.header;
    if (!header) return;
    const base = `${header.listen} → ${header.upstream} · recorded ${header.created}`;
    const r = this.reframing;
    this.info = {
      ...this.info,
      description:
        r === 'recorded'
          ? base
          : `${base} · re-framed (recorded as ${describeSpecs(header.framing)})`,
      framing: r === 'recorded' ? { c2s: header.framing.c2s, s2c: header.framing.s2c } : r,
    };
  }

  private _indexProblems(index: CaptureIndex): string[] {
    const problems: string[] = [];
    if (index.failure) {
      problems.push(
        `${this.uri.fsPath} could be read up to frame ${index.count} only: ${index.failure.message}`,
      );
    }
    if (index.errorCount > 0) {
      const shown = index.errors.slice(0, 5).map(formatCaptureError).join('; ');
      problems.push(
        `${index.errorCount} line${index.errorCount === 1 ? '' : 's'} could not be read: ${shown}${index.errorCount > 5 ? '; …' : ''}`,
      );
    }
    return problems;
  }

  /** The file's bytes, streamed from disk for local files. */
  private async *_chunks(): AsyncGenerator<Uint8Array> {
    if (this.uri.scheme === 'file') {
      yield* fs.createReadStream(this.uri.fsPath, { highWaterMark: READ_CHUNK });
      return;
    }
    // Other file systems (remote, virtual) are read through VS Code, which reads them whole.
    yield await vscode.workspace.fs.readFile(this.uri);
  }

  dispose(): void {
    this._disposed = true;
    this._onDidReframe.dispose();
    void this.index?.dispose();
  }
}
