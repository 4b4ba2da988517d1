// Numbered schema migrations: `PRAGMA user_version` holds the number of the last one applied.
//
// Append new migrations at the end and never edit one that has shipped: a data dir carries its version,
// and a migration is applied exactly once per data dir. Each runs in its own IMMEDIATE transaction, so a
// crash mid-migration leaves the previous version intact, and a second process (a CLI next to a running
// node) waits on the write lock and then sees the work already done instead of repeating it.
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1-based and equal to the migration's position in MIGRATIONS. */
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

// Tables are STRICT so a wrong JS type fails at insert instead of being stored silently.
// IDs are 32-byte BLOBs everywhere, never text, so they compare byte for byte and index compactly.
const MIGRATION_1_SQL = `
CREATE TABLE identity (
  -- a single-row table: the CHECK makes a second identity impossible, not just unlikely
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  public_key BLOB NOT NULL CHECK (length(public_key) = 32),
  -- libsodium form (seed || public key) when plain; an opaque ciphertext of any length when protected
  secret_key BLOB NOT NULL CHECK (protection <> 'plain' OR length(secret_key) = 64),
  protection TEXT NOT NULL CHECK (protection IN ('plain', 'safeStorage')),
  created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE node_list (
  id BLOB PRIMARY KEY CHECK (length(id) = 32),
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  registrations INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
CREATE INDEX node_list_by_last_seen ON node_list (last_seen_ms DESC);

CREATE TABLE groups (
  name TEXT PRIMARY KEY,
  owner BLOB NOT NULL CHECK (length(owner) = 32),
  created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE group_members (
  group_name TEXT NOT NULL REFERENCES groups (name) ON DELETE CASCADE,
  member BLOB NOT NULL CHECK (length(member) = 32),
  added_ms INTEGER NOT NULL,
  PRIMARY KEY (group_name, member)
) STRICT, WITHOUT ROWID;
-- "which groups is this ID in" drives presence fan-out, so it must not scan every membership
CREATE INDEX group_members_by_member ON group_members (member, group_name);

CREATE TABLE peers (
  id BLOB PRIMARY KEY CHECK (length(id) = 32),
  nickname TEXT,
  added_ms INTEGER NOT NULL,
  last_seen_ms INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE messages (
  -- alias of the rowid: insertion order, the tie-breaker for messages created in the same millisecond
  seq INTEGER PRIMARY KEY,
  msg_id BLOB NOT NULL CHECK (length(msg_id) = 16),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  route INTEGER NOT NULL,
  -- the other party of a direct message; the sender of an incoming one
  peer BLOB CHECK (peer IS NULL OR length(peer) = 32),
  group_name TEXT,
  -- the recipients of an ad-hoc list message, concatenated 32-byte IDs
  recipients BLOB CHECK (recipients IS NULL OR (length(recipients) > 0 AND length(recipients) % 32 = 0)),
  body BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'stored', 'delivered', 'failed', 'received')),
  error_code INTEGER,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  -- the same message seen twice (a retry, a relay replay) is one row; a note to self is one 'out' and one 'in'
  UNIQUE (msg_id, direction),
  -- 'received' belongs to incoming messages only, the delivery states to outgoing ones only
  CHECK ((direction = 'in') = (status = 'received'))
) STRICT;
CREATE INDEX messages_by_peer ON messages (peer, created_ms, seq) WHERE group_name IS NULL;
CREATE INDEX messages_by_group ON messages (group_name, created_ms, seq) WHERE group_name IS NOT NULL;
CREATE INDEX messages_by_time ON messages (created_ms, seq);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT, WITHOUT ROWID;
`;

/** Federation: relay links to dial, relays trusted to link in, and messages kept for offline recipients. */
const MIGRATION_2_SQL = `
CREATE TABLE links (
  url TEXT PRIMARY KEY,
  pinned_id BLOB CHECK (pinned_id IS NULL OR length(pinned_id) = 32),
  added_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE trusted_relays (
  id BLOB PRIMARY KEY CHECK (length(id) = 32),
  added_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE stored_messages (
  seq INTEGER PRIMARY KEY,
  recipient BLOB NOT NULL CHECK (length(recipient) = 32),
  origin_relay BLOB NOT NULL CHECK (length(origin_relay) = 32),
  msg_id BLOB NOT NULL CHECK (length(msg_id) = 16),
  msg BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  UNIQUE (recipient, msg_id)
) STRICT;
CREATE INDEX stored_by_recipient ON stored_messages (recipient, seq);
CREATE INDEX stored_by_expiry ON stored_messages (expires_ms);

-- the receiving half of end-to-end sessions, so messages a relay kept while we were away still open
-- after a restart (sending always starts a fresh session in a new process)
CREATE TABLE e2e_sessions (
  session_id BLOB PRIMARY KEY CHECK (length(session_id) = 16),
  peer BLOB NOT NULL CHECK (length(peer) = 32),
  recv_key BLOB NOT NULL CHECK (length(recv_key) = 32),
  created_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX e2e_sessions_by_age ON e2e_sessions (created_ms);

-- the relay's directory of shared-data declarations: one verified holding per (content hash, holder)
CREATE TABLE directory (
  content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
  holder BLOB NOT NULL CHECK (length(holder) = 32),
  owner BLOB NOT NULL CHECK (length(owner) = 32),
  holding BLOB NOT NULL,
  held_since_ms INTEGER NOT NULL,
  PRIMARY KEY (content_hash, holder)
) STRICT, WITHOUT ROWID;
CREATE INDEX directory_by_holder ON directory (holder);
CREATE INDEX directory_by_owner ON directory (owner);
`;

/**
 * The data plane: files this node serves, who fetched them, fetches in progress (a bitmap of verified
 * chunks so a killed fetch resumes), holders an owner knows of, and remote-delete requests with their status.
 */
const MIGRATION_3_SQL = `
-- what this node serves (its own shares and copies it re-serves), so a restarted node keeps serving
CREATE TABLE served_files (
  content_hash BLOB PRIMARY KEY CHECK (length(content_hash) = 32),
  path TEXT NOT NULL,
  -- the encoded Holding (declaration core, owner and holder signatures)
  holding BLOB NOT NULL,
  chunk_hashes BLOB NOT NULL CHECK (length(chunk_hashes) % 32 = 0),
  size INTEGER NOT NULL CHECK (size >= 0),
  -- the file's modification time when it was hashed: a later change means the file no longer matches
  mtime_ms REAL NOT NULL,
  added_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('serving', 'stopped')),
  -- why serving stopped (a TransferCode and a sentence), e.g. the file vanished
  stop_code INTEGER,
  stop_reason TEXT
) STRICT;

-- fetch receipts: who fetched what from this node, so an owner's delete request can reach every copy
CREATE TABLE fetch_receipts (
  content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
  fetcher BLOB NOT NULL CHECK (length(fetcher) = 32),
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  PRIMARY KEY (content_hash, fetcher)
) STRICT, WITHOUT ROWID;

-- this node's fetches, partial (resumable) and complete (a held copy its owner may ask to delete)
CREATE TABLE fetches (
  content_hash BLOB PRIMARY KEY CHECK (length(content_hash) = 32),
  out_path TEXT NOT NULL,
  holding BLOB NOT NULL,
  -- the chunk hash list once it was checked against the declaration's treeRoot
  chunk_hashes BLOB CHECK (chunk_hashes IS NULL OR length(chunk_hashes) % 32 = 0),
  state TEXT NOT NULL CHECK (state IN ('partial', 'complete')),
  started_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;

-- verified chunks of a partial fetch, one bit each, in segments so one chunk rewrites one small row
CREATE TABLE fetch_bitmap (
  content_hash BLOB NOT NULL REFERENCES fetches (content_hash) ON DELETE CASCADE,
  segment INTEGER NOT NULL CHECK (segment >= 0),
  bits BLOB NOT NULL,
  PRIMARY KEY (content_hash, segment)
) STRICT;

-- holders of this node's data that told the owner so (HOLDING_NOTICE), with their signed holding
CREATE TABLE known_holders (
  content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
  holder BLOB NOT NULL CHECK (length(holder) = 32),
  holding BLOB NOT NULL,
  noticed_ms INTEGER NOT NULL,
  PRIMARY KEY (content_hash, holder)
) STRICT;

-- remote deletes this node asked for, one row per holder, with the signed receipt once it came
CREATE TABLE delete_requests (
  content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
  holder BLOB NOT NULL CHECK (length(holder) = 32),
  time_ms INTEGER NOT NULL,
  owner_sig BLOB NOT NULL CHECK (length(owner_sig) = 64),
  status TEXT NOT NULL CHECK (status IN ('pending', 'deleted', 'refused', 'not-held')),
  -- the last failure to hand the request to the relays (an ErrorCode) while it is pending
  error_code INTEGER,
  holder_sig BLOB CHECK (holder_sig IS NULL OR length(holder_sig) = 64),
  sent_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (content_hash, holder)
) STRICT;
`;

/**
 * Deduplication by (sender, message ID), as PROTOCOL §9.6 and §9.8 require, instead of by ID alone: a
 * co-recipient that learns a message's ID must not be able to suppress it by sending its own message
 * under that ID first. Incoming history rows are unique per (msg_id, peer), outgoing ones per msg_id
 * (our own IDs); kept messages per (recipient, sender, msg_id), the sender read from the kept MSG frame
 * (its `from`, bytes 20..51). SQLite cannot drop a table constraint, so both tables are rebuilt.
 */
const MIGRATION_4_SQL = `
CREATE TABLE messages_v4 (
  seq INTEGER PRIMARY KEY,
  msg_id BLOB NOT NULL CHECK (length(msg_id) = 16),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  route INTEGER NOT NULL,
  peer BLOB CHECK (peer IS NULL OR length(peer) = 32),
  group_name TEXT,
  recipients BLOB CHECK (recipients IS NULL OR (length(recipients) > 0 AND length(recipients) % 32 = 0)),
  body BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'stored', 'delivered', 'failed', 'received')),
  error_code INTEGER,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  CHECK ((direction = 'in') = (status = 'received'))
) STRICT;
INSERT INTO messages_v4 SELECT seq, msg_id, direction, route, peer, group_name, recipients, body, status, error_code, created_ms, updated_ms FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v4 RENAME TO messages;
-- the same message seen twice (a retry, a relay replay, another path) is one row; a note to self is one 'out' and one 'in'
CREATE UNIQUE INDEX messages_out_id ON messages (msg_id) WHERE direction = 'out';
CREATE UNIQUE INDEX messages_in_id ON messages (msg_id, peer) WHERE direction = 'in';
CREATE INDEX messages_by_peer ON messages (peer, created_ms, seq) WHERE group_name IS NULL;
CREATE INDEX messages_by_group ON messages (group_name, created_ms, seq) WHERE group_name IS NOT NULL;
CREATE INDEX messages_by_time ON messages (created_ms, seq);

CREATE TABLE stored_messages_v4 (
  seq INTEGER PRIMARY KEY,
  recipient BLOB NOT NULL CHECK (length(recipient) = 32),
  origin_relay BLOB NOT NULL CHECK (length(origin_relay) = 32),
  sender BLOB NOT NULL CHECK (length(sender) = 32),
  msg_id BLOB NOT NULL CHECK (length(msg_id) = 16),
  msg BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  UNIQUE (recipient, sender, msg_id)
) STRICT;
INSERT INTO stored_messages_v4 (seq, recipient, origin_relay, sender, msg_id, msg, created_ms, expires_ms)
  SELECT seq, recipient, origin_relay, substr(msg, 21, 32), msg_id, msg, created_ms, expires_ms FROM stored_messages WHERE length(msg) >= 52;
DROP TABLE stored_messages;
ALTER TABLE stored_messages_v4 RENAME TO stored_messages;
CREATE INDEX stored_by_recipient ON stored_messages (recipient, seq);
CREATE INDEX stored_by_expiry ON stored_messages (expires_ms);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'identity, node list, groups, peers, messages, settings',
    up: (db) => {
      db.exec(MIGRATION_1_SQL);
    },
  },
  {
    version: 2,
    name: 'federation: links, trusted relays, stored messages; end-to-end session keys; data directory',
    up: (db) => {
      db.exec(MIGRATION_2_SQL);
    },
  },
  {
    version: 3,
    name: 'data plane: served files, fetch receipts, resumable fetches, known holders, remote deletes',
    up: (db) => {
      db.exec(MIGRATION_3_SQL);
    },
  },
  {
    version: 4,
    name: 'deduplicate incoming and kept messages by (sender, message ID)',
    up: (db) => {
      db.exec(MIGRATION_4_SQL);
    },
  },
];

/** The schema version this build writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Reads `PRAGMA user_version`: the number of the last migration applied (0 for a new file). */
export function schemaVersion(db: Database.Database): number {
  const value = db.pragma('user_version', { simple: true });
  if (typeof value !== 'number') {
    throw new Error('SQLite returned a non-numeric user_version; the database file may be damaged.');
  }
  return value;
}

/**
 * Applies every migration newer than the file's user_version, in order, and returns the resulting version.
 * Throws before touching anything when the file is newer than this build (a downgrade), because the older
 * code could misread or damage tables it does not know.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration "${m.name}" has version ${m.version} but sits at position ${i + 1}; versions must be 1, 2, 3, ... in order.`);
    }
  });
  const latest = migrations.length;
  const found = schemaVersion(db);
  if (found > latest) {
    throw new Error(
      `The database ${db.name} has schema version ${found}, newer than version ${latest} known to this build of w2w; ` +
        'upgrade w2w or use another data dir.',
    );
  }
  for (const m of migrations.slice(found)) {
    db.transaction(() => {
      // Re-read under the write lock: another process may have applied this migration while we waited.
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      // user_version lives in the file header and is written inside this transaction, so it commits or rolls
      // back together with the migration's tables.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
