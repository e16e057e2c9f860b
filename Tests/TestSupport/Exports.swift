// TestSupport = TestSupportCore (sockets, processes, threads, seeded randomness: no
// database) + TestDatabase. Targets that need a database import TestSupport alone.
@_exported import TestSupportCore
