// SPDX-License-Identifier: MIT

package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// perf returns a window that profiles the whole system with perf record
// while fn runs, and leaves the report beside the samples. Under TCG
// there are no hardware counters: the cpu-clock timer samples.
func (c *config) perf(b, variant string) func(fn func() error) error {
	return func(fn func() error) error {
		c.perfOnce.Do(unthrottlePerf)
		data := filepath.Join(c.scratchD, fmt.Sprintf("perf-%s-%s.data", b, variant))
		if err := record(data, fn); err != nil {
			return err
		}
		// The flat profile, then who calls the hottest functions; for the
		// data path of cpu 0 only, where the generators and the receive
		// path run.
		var cpu []string
		if !slices.Contains(controlOps, b) {
			cpu = []string{"--cpu", "0"}
		}
		var out []byte
		for _, g := range []string{"none", "caller,2,callee,function,percent"} {
			args := append([]string{"report", "-i", data, "--stdio", "--no-children", "--sort", "sym",
				"--percent-limit", "0.4", "-g", g}, cpu...)
			o, err := exec.Command("perf", args...).Output()
			if err != nil {
				return fmt.Errorf("perf report: %w", err)
			}
			out = append(out, o...)
		}
		report := filepath.Join(c.outDir, fmt.Sprintf("perf-%s-%s.txt", b, variant))
		log.Printf("perf profile of %s %s in %s", b, variant, report)
		return os.WriteFile(report, out, 0o644)
	}
}

// unthrottlePerf stops the kernel from throttling sampling, which it
// would do to next to nothing under TCG, where every sampling interrupt
// is slow. The rate goes first: it cannot be set once throttling is off.
func unthrottlePerf() {
	for _, kv := range [][2]string{{"perf_event_max_sample_rate", "10000"}, {"perf_cpu_time_max_percent", "0"}} {
		if err := os.WriteFile("/proc/sys/kernel/"+kv[0], []byte(kv[1]), 0); err != nil {
			log.Printf("perf: %v", err)
		}
	}
}

// record runs perf record -a into data while fn runs. perf starts with
// its events disabled and is enabled through its control fifo once it
// is ready: setting up takes seconds under TCG, which a fixed wait would
// have to guess.
func record(data string, fn func() error) error {
	ctl, ack := data+".ctl", data+".ack"
	for _, f := range []string{ctl, ack} {
		if err := unix.Mkfifo(f, 0o600); err != nil {
			return fmt.Errorf("perf control fifo: %w", err)
		}
	}
	rec := exec.Command("perf", "record", "-q", "-e", "cpu-clock", "-F", "1000", "-a", "-g",
		"-D", "-1", "--control", "fifo:"+ctl+","+ack, "-o", data)
	rec.Stderr = os.Stderr
	if err := rec.Start(); err != nil {
		return fmt.Errorf("perf record: %w", err)
	}
	err := controlled(ctl, ack, fn)
	rec.Process.Signal(os.Interrupt)
	// perf writes its data, then dies of the signal it was sent.
	werr := rec.Wait()
	var ee *exec.ExitError
	if errors.As(werr, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT {
		werr = nil
	}
	if err == nil && werr != nil {
		err = fmt.Errorf("perf record: %w", werr)
	}
	return err
}

// controlled enables perf's events, runs fn and disables them again.
func controlled(ctl, ack string, fn func() error) error {
	// Opening blocks until perf has opened its ends.
	cw, err := os.OpenFile(ctl, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer cw.Close()
	ar, err := os.Open(ack)
	if err != nil {
		return err
	}
	defer ar.Close()
	acks := bufio.NewReader(ar)
	command := func(cmd string) error {
		if _, err := cw.WriteString(cmd + "\n"); err != nil {
			return err
		}
		if _, err := acks.ReadString('\n'); err != nil {
			return fmt.Errorf("perf %s: no ack: %w", cmd, err)
		}
		return nil
	}
	if err := command("enable"); err != nil {
		return err
	}
	err = fn()
	if derr := command("disable"); err == nil {
		err = derr
	}
	return err
}
