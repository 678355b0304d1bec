// Package storerepair makes a fake-gcs-server filesystem root readable again after the server was killed mid-write.
//
// fake-gcs-server (the in-cluster default store) writes an object in two steps: the data file (atomically, through a
// temporary file renamed into place) and then the object's metadata (an extended attribute "user.metadata" on the
// data file where the filesystem supports it, else a sibling file NAME.metadata). Killed between the two, or during
// the first, it leaves a data file without metadata or a stray temporary file. It never answered that upload, so the
// client retried it or reports it as not uploaded; but on the next start every listing of a prefix that holds such a
// file fails (the server answers 404 for the whole bucket), and a capture's uploads can no longer be read at all.
//
// Repair removes exactly those files, before the server starts (the store's init container runs it): a regular file
// that has neither the attribute nor a sibling .metadata file. Objects the server acknowledged always have one of the
// two, so nothing acknowledged is removed.
package storerepair

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// MetadataAttr is the extended attribute in which fake-gcs-server keeps an object's metadata.
const MetadataAttr = "user.metadata"

// metadataSuffix is the sibling file fake-gcs-server writes instead when the filesystem has no extended attributes.
const metadataSuffix = ".metadata"

// bucketMetadataSuffix marks a bucket's own metadata file next to its directory (ROOT/BUCKET.bucketMetadata).
const bucketMetadataSuffix = ".bucketMetadata"

// Repair walks every bucket directory below root and removes the files fake-gcs-server could not list. It returns the
// removed paths, relative to root. A root that does not exist yet (a new volume) has nothing to repair.
func Repair(root string) ([]string, error) {
	var removed []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if !strings.ContainsRune(rel, filepath.Separator) {
			return nil // ROOT/NAME.bucketMetadata and any other file beside the buckets: not an object
		}
		if strings.HasSuffix(path, metadataSuffix) || strings.HasSuffix(path, bucketMetadataSuffix) {
			return nil
		}
		ok, err := hasMetadata(path)
		if err != nil {
			return fmt.Errorf("reading the metadata of %s: %w", path, err)
		}
		if ok {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("removing %s, which has no metadata: %w", path, err)
		}
		removed = append(removed, rel)
		return nil
	})
	return removed, err
}

// hasMetadata reports whether fake-gcs-server can read the metadata of the object in path.
func hasMetadata(path string) (bool, error) {
	if _, err := os.Stat(path + metadataSuffix); err == nil {
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	_, err := syscall.Getxattr(path, MetadataAttr, nil)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.ENODATA), errors.Is(err, syscall.ENOTSUP):
		return false, nil
	default:
		return false, err
	}
}
