package reunite

import "github.com/reunite-psi/reunite/internal/fsfile"

// syncDir makes a file's creation or renaming in dir durable.
//
// TODO(merge): offline.go's writeFileAtomic, its only caller, should become
// fsfile.WriteFile(path, data, 0o600), the writer the audit log and the
// budget store share; this shim then goes.
func syncDir(dir string) error { return fsfile.SyncDir(dir) }
