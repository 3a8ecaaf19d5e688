/**
 * The demo's chat server, written on AsyncChat the way asynchat servers were: one channel per
 * client, CRLF lines, a terminator and a found-terminator handler. Protocol (one line each):
 *   client: NICK name | JOIN #room | PART #room | MSG #room text | PRIV nick text | WHO #room | QUIT [why]
 *   server: HELLO | OK cmd | ERR code text | FROM nick #room text | PRIV nick text |
 *           JOINED nick #room | LEFT nick #room | USERS #room nicks... | BYE
 */
import * as net from 'node:net';
import { AsyncChat } from '../core/asyncChat';

/** Longest line a client may send; longer ones are answered with an error and dropped. */
const MAX_LINE = 4096;

/** One connected client. */
class ChatChannel extends AsyncChat {
  nick: string | undefined;
  readonly rooms = new Set<string>();

  constructor(
    socket: net.Socket,
    private readonly _server: ChatServer,
  ) {
    super(socket);
    this.setTerminator('\r\n');
    this.maxMessageBytes = MAX_LINE;
    this.push('HELLO linetap-chat\r\n');
  }

  override collectIncomingData(data: Buffer): void {
    this.storeIncomingData(data);
  }

  override foundTerminator(): void {
    const line = this.getData().toString('utf8');
    if (this.messageCut) {
      this.send(`ERR 414 line longer than ${MAX_LINE} bytes`);
      return;
    }
    this._server.handleLine(this, line);
  }

  override handleClose(): void {
    this._server.leave(this, 'connection closed');
    this.close();
  }

  override handleError(): void {
    this._server.leave(this, 'connection error');
    this.close();
  }

  /** Sends one line. */
  send(line: string): void {
    if (!this.closed) this.push(line + '\r\n');
  }
}

/** A running chat server. */
export class ChatServer {
  private readonly _server: net.Server;
  private readonly _channels = new Set<ChatChannel>();

  private constructor(server: net.Server) {
    this._server = server;
    server.on('connection', (socket) => this._channels.add(new ChatChannel(socket, this)));
  }

  /** Starts listening; port 0 picks a free port. */
  static async listen(port = 0, host = '127.0.0.1'): Promise<ChatServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return new ChatServer(server);
  }

  /** The port it listens on. */
  get port(): number {
    return (this._server.address() as net.AddressInfo).port;
  }

  /** Stops listening and closes every client. */
  async close(): Promise<void> {
    for (const ch of this._channels) ch.abort();
    await new Promise<void>((resolve) => this._server.close(() => resolve()));
  }

  /** Handles one line from a client. */
  handleLine(ch: ChatChannel, line: string): void {
    const [cmd = '', ...rest] = line.split(' ');
    const verb = cmd.toUpperCase();
    if (verb !== 'NICK' && verb !== 'QUIT' && !ch.nick) {
      ch.send('ERR 451 say NICK first');
      return;
    }
    switch (verb) {
      case 'NICK': {
        const nick = rest[0] ?? '';
        if (!/^[A-Za-z][\w-]{0,15}$/.test(nick)) return ch.send('ERR 432 bad nick');
        if ([...this._channels].some((c) => c !== ch && c.nick === nick)) {
          return ch.send('ERR 433 nick in use');
        }
        ch.nick = nick;
        return ch.send('OK NICK');
      }
      case 'JOIN': {
        const room = rest[0] ?? '';
        if (!/^#\w{1,30}$/.test(room)) return ch.send('ERR 403 bad room');
        ch.rooms.add(room);
        this._toRoom(room, `JOINED ${ch.nick} ${room}`);
        return;
      }
      case 'PART': {
        const room = rest[0] ?? '';
        if (!ch.rooms.has(room)) return ch.send('ERR 442 not in that room');
        this._toRoom(room, `LEFT ${ch.nick} ${room}`);
        ch.rooms.delete(room);
        return;
      }
      case 'MSG': {
        const [room = '', ...words] = rest;
        if (!ch.rooms.has(room)) return ch.send('ERR 404 join the room first');
        this._toRoom(room, `FROM ${ch.nick} ${room} ${words.join(' ')}`, ch);
        return ch.send('OK MSG');
      }
      case 'PRIV': {
        const [to = '', ...words] = rest;
        const target = [...this._channels].find((c) => c.nick === to);
        if (!target) return ch.send('ERR 401 no such nick');
        target.send(`PRIV ${ch.nick} ${words.join(' ')}`);
        return ch.send('OK PRIV');
      }
      case 'WHO': {
        const room = rest[0] ?? '';
        const nicks = [...this._channels].filter((c) => c.rooms.has(room)).map((c) => c.nick);
        return ch.send(`USERS ${room} ${nicks.join(' ')}`.trimEnd());
      }
      case 'QUIT':
        ch.send('BYE');
        this.leave(ch, rest.join(' ') || 'quit');
        ch.closeWhenDone();
        return;
      default:
        return ch.send(`ERR 421 unknown command ${JSON.stringify(cmd.slice(0, 20))}`);
    }
  }

  /** Removes a client from its rooms, telling the others. */
  leave(ch: ChatChannel, _why: string): void {
    if (!this._channels.delete(ch)) return;
    for (const room of ch.rooms) this._toRoom(room, `LEFT ${ch.nick} ${room}`, ch);
    ch.rooms.clear();
  }

  private _toRoom(room: string, line: string, except?: ChatChannel): void {
    for (const c of this._channels) if (c !== except && c.rooms.has(room)) c.send(line);
  }
}
