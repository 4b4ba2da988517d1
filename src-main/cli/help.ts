// The text of `w2w --help`: every command and option.
export const HELP = `w2w — WebSocket to WebSocket: reach people through relays you run yourselves.

Usage:
  w2w node   [--host 127.0.0.1] [--port 7070] [--data DIR] [--tls-cert FILE --tls-key FILE]
             [--insecure] [--public-url URL]... [--ping-interval MS] [--ping-timeout MS]
             [--rate N] [--burst N] [--max-connections N] [--handshake-timeout MS]
             [--peer URL[#RELAY_ID]]... [--trust RELAY_ID]... [--open-federation] [--ca FILE]
      Run a node: a relay others register with, plus this install's own client.
      --peer links to another relay (kept in the data dir, redialled when it drops; the link
      carries traffic both ways, so a node behind NAT that only dials out is reachable);
      --trust lets that relay link in; --open-federation lets any relay link in.
      Prints its URL and ID, runs until Ctrl-C, then shuts down cleanly.
  w2w id     [--data DIR]
      Print this install's ID (creating the key pair on first use).
  w2w send   --relay URL [--data DIR] (--to ID... | --group NAME | --all | --self) [--no-store] TEXT
      Send TEXT: --to once (a2b) or several times (a2g list), --group (named group),
      --all (a2n: everyone on the relay network), --self (a2a: your own sessions).
      Relays keep messages for offline recipients (--no-store: report them instead).
      Exits 1 if a recipient could not be reached.
  w2w listen --relay URL [--data DIR] [--json]
      Print one line per message (and presence change) received, until Ctrl-C.
  w2w group  create NAME | delete NAME | add NAME ID... | remove NAME ID... | list
             --relay URL [--data DIR]
      Manage named groups on a relay (the creator owns a group and manages its members;
      a member may remove itself).
  w2w peers  --relay URL [--data DIR]
      List the relay's node list: every ID registered there, online or not.
  w2w links  --relay URL [--data DIR]
      The relay's links to other relays: direction, state, round trip, routes learned.
  w2w route  ID --relay URL [--data DIR]
      The relay path a message from this relay to ID takes.

Common options:
  --relay URL[#ID]  the relay (ws:// or wss://); "#ID" pins the relay's identity
  --data DIR        data dir (default: $W2W_DATA, else $XDG_DATA_HOME/w2w, else ~/.local/share/w2w)
  --ca FILE         extra CA certificate (PEM) to trust for wss://
  --insecure        allow plain ws:// to or on a non-loopback address
  -h, --help        this text;  -v, --version  the version

IDs look like w2w1… (62 characters, with a checksum). Errors print as
"w2w: NAME (code): message" on stderr with a non-zero exit code.`;
