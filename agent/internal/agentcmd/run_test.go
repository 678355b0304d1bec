package agentcmd

import "testing"

func TestNothingToUploadSkipsTheUploaderOnlyWithoutStorageOrCoverDir(t *testing.T) {
	tests := []struct {
		storage, coverDir, want string
	}{
		{"", "/cov", "INTEGCOV_STORAGE is not set; coverage data is not uploaded"},
		{"  ", "", "INTEGCOV_STORAGE is not set; coverage data is not uploaded"},
		{"gs://b/p", "", "GOCOVERDIR is not set; no coverage data to upload"},
		{"gs://b/p", "/cov", ""},
		{"s3://not-supported", "/cov", ""}, // the uploader says what is wrong with the URL
	}
	for _, tt := range tests {
		env := map[string]string{"INTEGCOV_STORAGE": tt.storage, "GOCOVERDIR": tt.coverDir}
		if got := nothingToUpload(func(k string) string { return env[k] }); got != tt.want {
			t.Errorf("storage %q dir %q: %q, want %q", tt.storage, tt.coverDir, got, tt.want)
		}
	}
}
