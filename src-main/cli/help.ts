// The text of `w2w --help`: every command and option.
export const HELP = `w2w — WebSocket to WebSocket: reach people through relays you run yourselves.

Usage:
  w2w node   [--host 127.0.0.1] [--port 7070] [--data DIR] [--tls-cert FILE --tls-key FILE]
             [--insecure] [--public-url URL]... [--ping-interval MS] [--ping-timeout MS]
             [--rate N] [--burst N] [--max-connections N] [--handshake-timeout MS]
             [--peer URL[#RELAY_ID]]... [--trust RELAY_ID]... [--open-federation] [--ca FILE]
             [--relay-for anyone|friends|self] [--paused] [--ui] [--ui-port PORT] [--max-upload MIB]
      Run a node: a relay others register with, plus this install's own client.
      --host/--port default to the listen address saved in the UI's Settings (then
      127.0.0.1:7070); --relay-for (who may register here: anyone, this node's friends = its
      peers list, or only itself) and --paused (start with relaying for others paused) override
      the saved relaying settings for this run only. Changing them in the UI or the tray during
      the run applies and saves the change.
      --peer links to another relay (kept in the data dir, redialled when it drops; the link
      carries traffic both ways, so a node behind NAT that only dials out is reachable);
      --trust lets that relay link in; --open-federation lets any relay link in.
      --ui serves the app in a browser on 127.0.0.1 only (a random port, or --ui-port, which
      implies --ui) and prints "UI: http://127.0.0.1:PORT/?token=…": open that URL; the token
      is the only way in (build the app first with \`npm run build:renderer\`). --max-upload caps
      one file a browser uploads to share, in MiB (default 4096; implies --ui).
      Prints its URL and ID, runs until Ctrl-C, then shuts down cleanly.
  w2w id     [--data DIR]
      Print this install's ID (creating the key pair on first use).
  w2w send   --relay URL [--data DIR] (--to ID... | --group NAME | --all | --self) [--no-store] TEXT
      Send TEXT: --to once (a2b) or several times (a2g list), --group (named group),
      --all (a2n: everyone on the relay network), --self (a2a: your own sessions, on every
      relay where your ID has a home).
      Relays keep messages for offline recipients (--no-store: report them instead).
      After "--" every word is TEXT, even one that starts with "-".
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
  w2w share  FILE --relay URL [--data DIR] (--to ID... | --group NAME | --public) [--reshare]
      Declare FILE (signed, published to the relay's directory), print its content hash
      (64 hex digits) and serve it, encrypted end to end, until Ctrl-C.
  w2w declarations --relay URL [--data DIR] [--peer ID | --hash HASH]
      What a peer (default: you) declares, or who holds HASH (signatures checked here).
  w2w fetch  HASH --relay URL [--data DIR] [--owner ID] [--from ID] --out PATH
      Fetch by content hash from its holders: chunks verified before they are written,
      resumable, the whole file checked, then moved into place; progress on a terminal.
      Declared by several owners (anyone can declare a hash), it asks which one: --owner.
  w2w delete HASH --relay URL [--data DIR] [--wait MS]
      Ask every known holder of your data to delete it (signed); offline holders get the
      request when they return. Prints each holder's status: pending, deleted, refused.

Common options:
  --relay URL[#ID]  the relay (ws:// or wss://); "#ID" pins the relay's identity
  --data DIR        data dir (default: $W2W_DATA, else $XDG_DATA_HOME/w2w, else ~/.local/share/w2w)
  --ca FILE         extra CA certificate (PEM) to trust for wss://
  --insecure        allow plain ws:// to or on a non-loopback address
  -h, --help        this text;  -v, --version  the version

IDs look like w2w1… (62 characters, with a checksum). Errors print as
"w2w: NAME (code): message" on stderr with a non-zero exit code.`;
