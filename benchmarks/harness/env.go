package harness

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Env records where and when figures were measured.
type Env struct {
	Date      string            `json:"date"` // RFC 3339 UTC
	CPU       string            `json:"cpu"`
	Cores     int               `json:"cores"`
	MemoryGiB float64           `json:"memory_gib"`
	OS        string            `json:"os"`
	Kernel    string            `json:"kernel,omitempty"`
	Go        string            `json:"go"`
	SQLite    string            `json:"sqlite"`
	Driver    string            `json:"driver"`
	Commit    string            `json:"commit"`
	LoadStart string            `json:"loadavg_start,omitempty"`
	LoadEnd   string            `json:"loadavg_end,omitempty"`
	Tools     map[string]string `json:"tools,omitempty"` // peer → version, or "missing"
	Command   string            `json:"command"`
}

// CaptureEnv records the environment at the start of a run.
func CaptureEnv() Env {
	e := Env{
		Date:   time.Now().UTC().Format(time.RFC3339),
		Cores:  runtime.NumCPU(),
		OS:     runtime.GOOS + "/" + runtime.GOARCH,
		Go:     runtime.Version(),
		Driver: "github.com/ncruces/go-sqlite3 " + moduleVersion("github.com/ncruces/go-sqlite3"),
		Tools:  map[string]string{},
	}
	e.CPU = cpuModel()
	e.MemoryGiB = memGiB()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = strings.TrimSpace(string(b))
	}
	e.LoadStart = loadAvg()
	e.Commit = gitCommit()
	e.Command = strings.Join(os.Args, " ")
	if c, err := sqlite3.Open(":memory:"); err == nil {
		if st, _, err := c.Prepare("SELECT sqlite_version()"); err == nil {
			if st.Step() {
				e.SQLite = st.ColumnText(0)
			}
			st.Close()
		}
		c.Close()
	}
	return e
}

// Finish records the end-of-run load, which says how noisy the run was.
func (e *Env) Finish() { e.LoadEnd = loadAvg() }

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memGiB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			fs := strings.Fields(line)
			if len(fs) >= 2 {
				kb, _ := strconv.ParseFloat(fs[1], 64)
				return float64(int(kb/(1<<20)*10+0.5)) / 10
			}
		}
	}
	return 0
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return ""
	}
	return strings.Join(fs[:3], " ")
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += "-dirty"
	}
	return c
}

func moduleVersion(path string) string {
	if bi, ok := readBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}
