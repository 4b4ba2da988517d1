// Opens a data dir's SQLite file with private permissions and safe pragmas, migrates it, and bundles the repositories.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { IdentityRepo } from './identity-repo.js';
import { NodeListRepo } from './node-list-repo.js';
import { GroupsRepo } from './groups-repo.js';
import { PeersRepo } from './peers-repo.js';
import { MessagesRepo } from './messages-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { LinksRepo } from './links-repo.js';
import { StoredMessagesRepo } from './stored-messages-repo.js';
import { E2eSessionsRepo } from './e2e-sessions-repo.js';
import { DirectoryRepo } from './directory-repo.js';
import { ServedFilesRepo } from './served-files-repo.js';
import { FetchReceiptsRepo } from './fetch-receipts-repo.js';
import { FetchesRepo } from './fetches-repo.js';
import { KnownHoldersRepo } from './known-holders-repo.js';
import { DeleteRequestsRepo } from './delete-requests-repo.js';

export const DB_FILE_NAME = 'w2w.sqlite';
/** The data dir holds the secret key: owner only. */
export const DATA_DIR_MODE = 0o700;
export const DB_FILE_MODE = 0o600;
/** How long a statement waits for another process's lock (a CLI next to a running node) before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export interface Store {
  readonly db: Database.Database;
  /** Absolute path of the SQLite file. */
  readonly path: string;
  readonly identity: IdentityRepo;
  readonly nodeList: NodeListRepo;
  readonly groups: GroupsRepo;
  readonly peers: PeersRepo;
  readonly messages: MessagesRepo;
  readonly settings: SettingsRepo;
  readonly links: LinksRepo;
  readonly storedMessages: StoredMessagesRepo;
  readonly e2eSessions: E2eSessionsRepo;
  readonly directory: DirectoryRepo;
  /** data plane: files served, who fetched them, this node's fetches, known holders, remote deletes */
  readonly servedFiles: ServedFilesRepo;
  readonly fetchReceipts: FetchReceiptsRepo;
  readonly fetches: FetchesRepo;
  readonly knownHolders: KnownHoldersRepo;
  readonly deleteRequests: DeleteRequestsRepo;
  /** Closes the database; calling it again does nothing. */
  close(): void;
}

/** Tightens the SQLite file and its WAL companions, whatever the umask was when they were created. */
function chmodDbFiles(file: string): void {
  fs.chmodSync(file, DB_FILE_MODE);
  for (const suffix of ['-wal', '-shm']) {
    try {
      fs.chmodSync(file + suffix, DB_FILE_MODE);
    } catch (err) {
      // They exist only while a connection is open (and not at all before WAL mode is on).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function configure(db: Database.Database): void {
  // First, so that even switching the journal mode waits for another process instead of failing.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new Error(`SQLite could not switch ${db.name} to WAL mode (it reports '${String(mode)}'); is the data dir on a network file system?`);
  }
  // In WAL mode, NORMAL syncs at checkpoints, not at every commit: a committed transaction survives a crash
  // or kill -9 of this process (it is in the WAL, which the OS keeps), and the file is never corrupted; only
  // a power loss or OS crash can roll back the last few commits. That trade buys much cheaper writes.
  db.pragma('synchronous = NORMAL');
  // Off by default in SQLite; group memberships rely on ON DELETE CASCADE. Must be set outside a transaction.
  db.pragma('foreign_keys = ON');
}

/**
 * Opens (creating if needed) `<dataDir>/w2w.sqlite`, brings its schema up to date and returns the repositories.
 * Throws if the file was written by a newer w2w, or cannot be opened in WAL mode.
 */
export function openStore(dataDir: string): Store {
  const dir = path.resolve(dataDir);
  // Only a dir we create is chmod-ed: an existing one belongs to the user, who may have chosen its mode.
  if (fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE }) !== undefined) {
    fs.chmodSync(dir, DATA_DIR_MODE);
  }
  const file = path.join(dir, DB_FILE_NAME);
  // Create the file ourselves with 0600 so it never exists with the umask's looser mode, even for an instant.
  fs.closeSync(fs.openSync(file, 'a', DB_FILE_MODE));
  fs.chmodSync(file, DB_FILE_MODE);

  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    configure(db);
    chmodDbFiles(file);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  return {
    db,
    path: file,
    identity: new IdentityRepo(db),
    nodeList: new NodeListRepo(db),
    groups: new GroupsRepo(db),
    peers: new PeersRepo(db),
    messages: new MessagesRepo(db),
    settings: new SettingsRepo(db),
    links: new LinksRepo(db),
    storedMessages: new StoredMessagesRepo(db),
    e2eSessions: new E2eSessionsRepo(db),
    directory: new DirectoryRepo(db),
    servedFiles: new ServedFilesRepo(db),
    fetchReceipts: new FetchReceiptsRepo(db),
    fetches: new FetchesRepo(db),
    knownHolders: new KnownHoldersRepo(db),
    deleteRequests: new DeleteRequestsRepo(db),
    close() {
      if (db.open) db.close();
    },
  };
}
