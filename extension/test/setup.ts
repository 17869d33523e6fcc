// IndexedDB for the background tests: fake-indexeddb's globals (IDBRequest, IDBKeyRange, …),
// and a fresh, empty factory before every test.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { beforeEach } from "vitest";

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
