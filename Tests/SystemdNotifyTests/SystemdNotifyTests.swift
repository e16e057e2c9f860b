import Glibc
import Testing
import TestSupportCore
@testable import SystemdNotify

/// sd_notify against a real unix datagram socket, as systemd would receive it.
@Suite struct SystemdNotifyTests {
    @Test(arguments: [false, true])
    func statesArriveAsOneDatagram(abstract: Bool) throws {
        let socket = try NotifySocket(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address])
        #expect(notifier.isEnabled)
        try notifier.notify(.ready, .status("sweeping\nholds"))
        #expect(socket.receive(timeout: 2) == "READY=1\nSTATUS=sweeping holds")
        try notifier.notify(.watchdog)
        #expect(socket.receive(timeout: 2) == "WATCHDOG=1")
        try notifier.notify(.stopping)
        #expect(socket.receive(timeout: 2) == "STOPPING=1")
    }

    @Test func withoutNotifySocketEverythingIsANoOp() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
        try notifier.notify(.ready)
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]).notify(.ready)
    }

    @Test func unusableAddressesAreReported() {
        for address in ["relative/path", "vsock:2:1234", "/" + String(repeating: "x", count: 200)] {
            #expect(throws: SystemdNotifyError.self) {
                try SystemdNotifier(environment: ["NOTIFY_SOCKET": address]).notify(.ready)
            }
        }
        // Nobody listening at the path: the send fails with an errno, nothing crashes.
        #expect(throws: SystemdNotifyError.self) {
            try SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/ota-notify.sock"]).notify(.ready)
        }
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly() {
        let pid = getpid()
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"], processID: pid).watchdogInterval == .seconds(15))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid)"], processID: pid)
            .watchdogInterval == .seconds(15))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid + 1)"], processID: pid)
            .watchdogInterval == nil)
        for bad in ["0", "-5", "soon", ""] {
            #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": bad], processID: pid).watchdogInterval == nil)
        }
    }
}
