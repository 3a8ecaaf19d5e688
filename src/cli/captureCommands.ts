/** `linetap show` and `linetap export`: reading capture files from the terminal. */
import { CaptureFramer, headerSpecs } from '../core/capture/reframe';
import { CaptureStream } from '../core/capture/captureReader';
import { formatCaptureError } from '../core/capture/captureDecode';
import { exportPcapng } from '../core/capture/pcapng';
import { LinetapError } from '../core/socketErrors';
import { parseFilter } from '../shared/filter';
import { intOption, required, UsageError } from './cliOptions';
import { printLine, stdoutBehind, stdoutDrained, writeStderr } from './stdout';
import { FramePrinter, wantColor } from './framePrinter';
import type { Values } from './main';

/** Opens a capture for reading, with an error a person can act on. */
async function openCapture(file: string): Promise<CaptureStream> {
  try {
    return await CaptureStream.open(file);
  } catch (e) {
    const err = e as Error & { code?: string };
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.message;
    throw new LinetapError(`cannot read the capture "${file}": ${why}`);
  }
}

/** Reports read errors on stderr; returns the exit code they call for. */
function reportErrors(file: string, stream: CaptureStream): number {
  for (const e of stream.errors) writeStderr(`${file}: ${formatCaptureError(e)}\n`);
  const hidden = stream.errorCount - stream.errors.length;
  if (hidden > 0) writeStderr(`${file}: ${hidden} more errors not shown\n`);
  if (stream.errorCount > 0) {
    writeStderr(
      `${file}: ${stream.errorCount} line${stream.errorCount > 1 ? 's' : ''} could not be read; everything else was.\n`,
    );
    return 2;
  }
  return 0;
}

/** `linetap show FILE`: the frames of a capture, framed as recorded or under another spec. */
export async function showCommand(values: Values, positionals: string[]): Promise<number> {
  const [file, extra] = positionals;
  if (!file) throw new UsageError('say which capture to show: linetap show FILE');
  if (extra) throw new UsageError(`unexpected argument "${extra}"`);
  const filter = parseFilter((values.filter as string | undefined) ?? '');
  const stream = await openCapture(file);
  const header = stream.header;
  const framing = values.framing as string | undefined;
  if (!header && !framing) {
    reportErrors(file, stream);
    throw new LinetapError(`${file} has no capture header: give --framing SPEC to frame it anyway`);
  }
  const json = values.json === true;
  const printer = new FramePrinter({
    json,
    color: !json && wantColor(process.stdout),
    maxPayloadChars: values.full ? Infinity : 160,
    write: printLine,
  });
  if (header && !json) {
    printer.note(
      `capture of ${header.listen} → ${header.upstream}, started ${header.created}, framing ${header.framing.c2s === header.framing.s2c ? header.framing.c2s : `client ${header.framing.c2s}, server ${header.framing.s2c}`}${framing ? `; shown under ${framing}` : ''}`,
    );
  }
  const framer = new CaptureFramer(framing ?? headerSpecs(header!), {
    mode: framing ? 'reframe' : 'recorded',
    maxFrameBytes: intOption(values, 'max-frame-bytes', 1),
  });
  let shown = 0;
  // Bytes of each connection so far, for its close line (close events do not repeat them).
  const bytes = new Map<number, { c2s: number; s2c: number }>();
  const print = (frames: Iterable<import('../shared/traffic').TrafficFrame>) => {
    for (const f of frames) {
      const counts = bytes.get(f.conn);
      if (counts) counts[f.dir] += f.bytes.length;
      if (filter.matches(f)) {
        printer.frame(f);
        shown++;
      }
    }
  };
  for await (const event of stream) {
    // A slow reader of the output (a pager) holds the reading of the file, not memory.
    if (stdoutBehind()) await stdoutDrained();
    print(framer.push(event));
    if (!filter.empty) continue;
    if (event.e === 'open') {
      bytes.set(event.conn, { c2s: 0, s2c: 0 });
      printer.open(event.conn, event.t, event.peer ?? '?', header?.upstream ?? '?');
    } else if (event.e === 'close') {
      printer.close(
        event.conn,
        event.t,
        event.reason ?? 'closed',
        bytes.get(event.conn) ?? { c2s: 0, s2c: 0 },
      );
      bytes.delete(event.conn);
    } else if (event.e === 'note') {
      printer.note(`note: ${event.text}`);
    }
  }
  print(framer.end());
  if (!json && !filter.empty)
    printer.note(`${shown} frame${shown === 1 ? '' : 's'} matched ${filter.toString()}`);
  return reportErrors(file, stream);
}

/** `linetap export FILE --pcapng OUT`. */
export async function exportCommand(values: Values, positionals: string[]): Promise<number> {
  const [file, extra] = positionals;
  if (!file) throw new UsageError('say which capture to export: linetap export FILE --pcapng OUT');
  if (extra) throw new UsageError(`unexpected argument "${extra}"`);
  const out = required(values, 'pcapng', 'session.pcapng');
  const mss = intOption(values, 'mss', 64, 65495);
  const stream = await openCapture(file);
  let stats;
  try {
    stats = await exportPcapng(stream, out, { mss });
  } catch (e) {
    throw new LinetapError(`cannot write "${out}": ${(e as Error).message}`);
  }
  writeStderr(
    `linetap: wrote ${out}: ${stats.packets} packets, ${stats.connections} connection${stats.connections === 1 ? '' : 's'}. Open it in Wireshark; Follow TCP Stream shows each session.\n`,
  );
  return reportErrors(file, stream);
}
