/** Help texts of the `linetap` command line. */
import { acceptedForms } from '../core/framing/framingSpec';
import { NAMED_MASKS } from '../core/replay/masks';

function maskNames(): string {
  return Object.keys(NAMED_MASKS).join(', ');
}

function maskHelp(): string {
  return Object.entries(NAMED_MASKS)
    .map(([name, m]) => `  ${name.padEnd(10)} ${m.about}`)
    .join('\n');
}

/** Help for each command, and the overview. */
export const HELP: Record<string, string> = {
  '': `linetap: a framing proxy for line-oriented TCP protocols

Usage:
  linetap proxy --listen [HOST:]PORT --upstream HOST:PORT [options]   relay and show frames live
  linetap send HOST:PORT MESSAGE... [options]                         send messages, show the replies
  linetap show FILE [--framing SPEC] [--filter EXPR] [--json]         print a capture's frames
  linetap export FILE --pcapng OUT                                    capture to pcapng for Wireshark
  linetap replay FILE [--target HOST:PORT] [--mask M]... [--json]     replay the client, diff the answers
  linetap mock FILE --listen [HOST:]PORT [--unmatched WHAT]           serve the recorded server side
  linetap demo                                                        chat server + proxy + clients
  linetap COMMAND --help                                              help for one command

Exit codes: 0 ok, 1 replay found differences, 2 usage or runtime error.`,

  proxy: `linetap proxy --listen [HOST:]PORT --upstream HOST:PORT [options]

Listens (127.0.0.1 unless HOST is given), relays each client to the upstream, and prints every
frame of both directions as it passes. Bytes are forwarded unchanged and at once; framing only
observes. Ctrl+C stops cleanly.

Options:
  --framing SPEC           framing of both directions (default: line)
  --client-framing SPEC    framing of client-to-server bytes
  --server-framing SPEC    framing of server-to-client bytes
  --capture FILE           record every frame to a .linetap capture file
  --filter EXPR            print only frames that match (the capture still gets all)
  --intercept EXPR         hold frames that match until you release, edit or drop them
                           (commands on standard input; the matching directions go
                           frame by frame while it is set)
  --json                   one JSON object per frame per line
  --upstream-tls           connect to the upstream with TLS
  --insecure               with --upstream-tls: do not verify the server certificate
  --tls-cert FILE --tls-key FILE   accept clients with TLS (PEM files)
  --max-connections N      refuse connections beyond N (default 10000)
  --max-frame-bytes N      cut longer frames, flagged oversize (default 1048576)
  --idle-flush MS          show an unfinished frame after MS idle, flagged partial (default 250)
  --connect-timeout MS     give up connecting to the upstream after MS (default 10000)
  --full                   never shorten payloads in the output

SPEC: ${acceptedForms()}`,

  send: `linetap send HOST:PORT MESSAGE... [options]

Connects, sends each MESSAGE in turn, and prints the reply frames. Messages take escapes
(\\r \\n \\t \\0 \\xHH \\\\); nothing is added to them unless --eol says so: end lines
yourself ('PING\\r\\n') or add --eol crlf. With no MESSAGE, standard input is sent as it is.

Options:
  --framing SPEC    framing of the replies (default: line)
  --hex             MESSAGEs are hex digits (spaces allowed), not text
  --eol E           end each MESSAGE with crlf or lf unless it already ends so (default: none)
  --wait MS         after the last message, wait this long for more replies (default 1000)
  --json            one JSON object per frame per line
  --full            never shorten payloads in the output

SPEC: ${acceptedForms()}`,

  show: `linetap show FILE [options]

Prints the frames of a .linetap capture. Without --framing, frames are shown as recorded and
annotated by the capture's own framing; with it, the bytes are framed anew under that spec.
Lines that cannot be read are reported with their line number; everything else is shown.

Options:
  --framing SPEC      re-frame the capture under another spec
  --filter EXPR       show only matching frames, e.g. 'c2s name:SET', 's2c warning', '/ERR/'
  --json              one JSON object per frame per line
  --full              never shorten payloads
  --max-frame-bytes N frame size limit when re-framing

SPEC: ${acceptedForms()}`,

  export: `linetap export FILE --pcapng OUT [--mss N]

Writes the capture as a pcapng file with synthetic TCP/IP packets (handshake, data, FIN), so
Wireshark's Follow TCP Stream and its protocol dissectors work on it.

Options:
  --pcapng OUT    where to write
  --mss N         largest TCP payload per packet (default 1460, up to 65495)`,

  replay: `linetap replay FILE [--target HOST:PORT] [--mask M]... [--timing asap|recorded|xN] [--json]

Plays the client side of each connection in a capture against a server and compares the
answers with the recording, frame by frame, framed with the capture's own spec. Before each
client frame is sent, the replay waits for the answers to the one before: the server frames the
protocol pairs with it (redis, memcached, SMTP, HTTP...), or else as many as were recorded before
the next client frame (or the timeout). Each exchange is reported: matched, differs (with a diff), missing or extra.

Options:
  --target HOST:PORT   the server to replay against (default: the recorded upstream)
  --mask M             ignore volatile fields; repeat for several. M is a ready-made mask
                       (${maskNames()}) or a regular expression
                       ('Max: \\d+', /session=\\w+/i)
  --timing T           asap (default): send as soon as the answers are in; recorded: keep the
                       recorded gaps; xN: N times the recorded speed (x2, x0.5)
  --concurrent         run connections at their recorded start times, overlapping as recorded
                       (default: one after another)
  --timeout MS         longest wait for an answer with nothing arriving (default 5000); a
                       server silent that long has hung, and the rest of its connection is
                       reported as not sent
  --framing SPEC       frame under another spec than the capture's (also --client-framing,
                       --server-framing)
  --json               one JSON object per line: each exchange, each connection, a summary
                       (a frame that matched byte for byte shows its size only)
  --full               never shorten payloads
  --max-frame-bytes N  frame size limit (default 1048576)

In diffs, [-...-] is what was recorded and {+...+} what the server sent instead.
Exit codes: 0 every exchange matched, 1 differences, 2 errors (a target that refuses, capture
lines that could not be read, bad options).

Ready-made masks:
${maskHelp()}`,

  mock: `linetap mock FILE --listen [HOST:]PORT [options]

Listens (127.0.0.1 unless HOST is given) and plays the recorded server side to each client: the
server's greeting first, then for each client frame the recorded answer to the matching request,
in recorded order. The n-th client plays the n-th recorded connection (round robin). Requests
match exactly, or through --mask; one that matches nothing is shown with the recorded request
nearest to it and how they differ, which says what a --mask should hide. Ctrl+C stops.

Options:
  --listen [HOST:]PORT   where to listen
  --unmatched WHAT       a request with no recorded answer:
                         close (default): close the connection
                         reply:TEXT: send TEXT, with escapes ('reply:-ERR not recorded\\r\\n')
                         upstream:HOST:PORT: pass it to a real server (hybrid); its greeting is
                         dropped and its answer relayed unchanged
  --mask M               match requests through masks (as for replay); repeat for several
  --timing T             asap (default), recorded (answer after the recorded latency), or xN
  --timeout MS           longest wait for the upstream's greeting or answer (default 5000)
  --framing SPEC         frame under another spec than the capture's
  --json                 one JSON object per line: open, exchange, close
  --full                 never shorten payloads`,

  demo: `linetap demo [--stay]

Starts the demo: a chat server written on AsyncChat, a Linetap proxy in front of it, three
scripted clients talking through the proxy, and every frame printed as it passes.

Options:
  --stay    keep the server and the proxy running afterwards, to try them with nc`,
};
