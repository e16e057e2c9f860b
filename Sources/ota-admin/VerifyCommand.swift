import OTAStore
import Postgres

/// `verify`: the inventory invariants, checked from SQL, one line per check.
enum VerifyCommand {
    static let help = """
        Usage: ota-admin verify
        Checks the invariants of the inventory straight from SQL and prints one line per check:
          allocations_within_cap   per product, the channels' allocations sum to at most sellable_cap
          counters_in_range        reserved >= 0, sold >= 0, reserved + sold <= allocated, per slot and per pool
          reserved_matches_holds   reserved equals the units of active holds, per slot and per pool
          sold_matches_tickets     sold equals the issued (not cancelled) tickets, per slot and per pool
          slots_match_stripes      each pool's slots 0..stripes-1 are open, the others closed
          no_stale_holds           no active hold more than \(InvariantCheck.staleHoldMinutes) minutes past its expiry (WARN only:
                                   the expiry worker may not be running)
          allotments_respected     no partner uses more than its allotment
        Exit status: 0 healthy (warnings included), 3 on any DRIFT, 1 when the check could not run.
        """

    static func run(_ args: Arguments) throws(AdminError) {
        if args.wantsHelp { return print(help) }
        try args.finish()
        let db = try Console.connect()
        let results = try store { () throws(StoreError) in try InvariantCheck(db).run() }
        for r in results {
            print("\(r.status.rawValue.padding(5)) \(r.name): \(r.summary)")
            for d in r.details { print("      \(d)") }
        }
        let drifts = results.filter { $0.status == .drift }.count
        let warnings = results.filter { $0.status == .warning }.count
        if drifts > 0 {
            throw .drift("verify: \(drifts) of \(results.count) checks found a drift" + (warnings > 0 ? ", \(warnings) warnings" : ""))
        }
        print("verify: \(results.count) checks, no drift" + (warnings > 0 ? ", \(warnings) warnings" : ""))
    }
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
