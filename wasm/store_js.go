//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// The history lives in IndexedDB: database "gradsign", object store "results", each record a
// JSON string under its key (historyKey).
const (
	dbName    = "gradsign"
	storeName = "results"
)

var db *idb.Database

func openDB() (*idb.Database, error) {
	if db != nil {
		return db, nil
	}
	ctx := context.Background()
	req, err := idb.Global().Open(ctx, dbName, 1, func(d *idb.Database, oldVersion, newVersion uint) error {
		_, err := d.CreateObjectStore(storeName, idb.ObjectStoreOptions{})
		return err
	})
	if err != nil {
		return nil, err
	}
	d, err := req.Await(ctx)
	if err != nil {
		return nil, err
	}
	db = d
	return db, nil
}

func store(mode idb.TransactionMode) (*idb.Transaction, *idb.ObjectStore, error) {
	d, err := openDB()
	if err != nil {
		return nil, nil, err
	}
	txn, err := d.Transaction(mode, storeName)
	if err != nil {
		return nil, nil, err
	}
	s, err := txn.ObjectStore(storeName)
	return txn, s, err
}

func storePut(key, value string) error {
	txn, s, err := store(idb.TransactionReadWrite)
	if err != nil {
		return err
	}
	if _, err := s.PutKey(js.ValueOf(key), js.ValueOf(value)); err != nil {
		return err
	}
	return txn.Await(context.Background())
}

func storeGet(key string) (string, bool, error) {
	_, s, err := store(idb.TransactionReadOnly)
	if err != nil {
		return "", false, err
	}
	req, err := s.Get(js.ValueOf(key))
	if err != nil {
		return "", false, err
	}
	v, err := req.Await(context.Background())
	if err != nil || v.Type() != js.TypeString {
		return "", false, err
	}
	return v.String(), true, nil
}

func storeAll() ([]string, error) {
	_, s, err := store(idb.TransactionReadOnly)
	if err != nil {
		return nil, err
	}
	req, err := s.OpenCursor(idb.CursorNext)
	if err != nil {
		return nil, err
	}
	var out []string
	err = req.Iter(context.Background(), func(c *idb.CursorWithValue) error {
		v, err := c.Value()
		if err == nil && v.Type() == js.TypeString {
			out = append(out, v.String())
		}
		return err
	})
	return out, err
}

func storeClear() error {
	txn, s, err := store(idb.TransactionReadWrite)
	if err != nil {
		return err
	}
	if _, err := s.Clear(); err != nil {
		return err
	}
	return txn.Await(context.Background())
}

func historyClear() error { return storeClear() }
