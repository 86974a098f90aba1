package match

// KeysAsIndexed returns the keys NewIndex derives for records[i]: those of
// its names as written and as the file's spelling corrects them.
func KeysAsIndexed(records []Record, rs *RuleSet, i int) []Key {
	d := newFileDeriver(rs)
	keys, _ := d.keys(&records[i], newSpeller(records, d), i, nil)
	return keys
}
