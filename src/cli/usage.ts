/** Help texts of the `linetap` command line. */
import { acceptedForms } from '../core/framing/framingSpec';

/** Help for each command, and the overview. */
export const HELP: Record<string, string> = {
  '': `linetap: a framing proxy for line-oriented TCP protocols

Usage:
  linetap proxy --listen [HOST:]PORT --upstream HOST:PORT [options]   relay and show frames live
  linetap send HOST:PORT MESSAGE... [options]                         send messages, show the replies
  linetap demo                                                        chat server + proxy + clients
  linetap COMMAND --help                                              help for one command

Exit codes: 0 ok, 2 usage or runtime error.`,

  proxy: `linetap proxy --listen [HOST:]PORT --upstream HOST:PORT [options]

Listens (127.0.0.1 unless HOST is given), relays each client to the upstream, and prints every
frame of both directions as it passes. Bytes are forwarded unchanged and at once; framing only
observes. Ctrl+C stops cleanly.

Options:
  --framing SPEC           framing of both directions (default: line)
  --client-framing SPEC    framing of client-to-server bytes
  --server-framing SPEC    framing of server-to-client bytes
  --json                   one JSON object per frame per line
  --upstream-tls           connect to the upstream with TLS
  --insecure               with --upstream-tls: do not verify the server certificate
  --tls-cert FILE --tls-key FILE   accept clients with TLS (PEM files)
  --max-connections N      refuse connections beyond N (default 10000)
  --max-frame-bytes N      cut longer frames, flagged oversize (default 1048576)
  --idle-flush MS          show an unfinished frame after MS idle, flagged partial (default 250)
  --full                   never shorten payloads in the output

SPEC: ${acceptedForms()}`,

  send: `linetap send HOST:PORT MESSAGE... [options]

Connects, sends each MESSAGE in turn, and prints the reply frames. Messages take escapes
(\\r \\n \\t \\0 \\xHH \\\\); nothing is added to them, so end lines yourself: 'PING\\r\\n'.
With no MESSAGE, standard input is sent.

Options:
  --framing SPEC    framing of the replies (default: line)
  --hex             MESSAGEs are hex digits (spaces allowed), not text
  --wait MS         after the last message, wait this long for more replies (default 1000)
  --json            one JSON object per frame per line
  --full            never shorten payloads in the output

SPEC: ${acceptedForms()}`,

  demo: `linetap demo [--stay]

Starts the demo: a chat server written on AsyncChat, a Linetap proxy in front of it, three
scripted clients talking through the proxy, and every frame printed as it passes.

Options:
  --stay    keep the server and the proxy running afterwards, to try them with nc`,
};
