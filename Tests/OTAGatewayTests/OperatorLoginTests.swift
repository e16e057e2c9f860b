import Foundation
import Testing
@testable import OTAGateway

/// Operator login: lockouts that a correct password does not lengthen, and answers that
/// never confirm a password to someone who may not use it (issue 13, item 7).
@Suite struct OperatorLoginTests {
    func lockedUntil(_ g: InProcessGateway, _ username: String) throws -> String? {
        try g.sql("SELECT locked_until::text AS t FROM login_throttle WHERE throttle_key = \("u:" + username)").first?
            .decodeIfPresent("t", as: String.self)
    }

    func login(_ g: InProcessGateway, _ username: String, _ password: String) -> InProcessGateway.Answer {
        g.send("POST", "/operators/login", key: nil, body: #"{"username":"\#(username)","password":"\#(password)"}"#)
    }

    @Test func aCorrectPasswordDuringALockoutDoesNotLengthenIt() throws {
        let g = try InProcessGateway()
        #expect(g.send("POST", "/api/ota/operators", body: #"{"username":"pier.lock2","password":"correct horse battery","display_name":"P"}"#).status == 201)
        for _ in 0..<6 { _ = login(g, "pier.lock2", "wrong password 1") }
        let locked = login(g, "pier.lock2", "wrong password 1")
        #expect(locked.status == 429)
        #expect(locked.code == "login_locked")
        let before = try #require(try lockedUntil(g, "pier.lock2"))
        let failures = try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:pier.lock2'").first?.decode("failures", as: Int.self)

        let right = login(g, "pier.lock2", "correct horse battery")
        #expect(right.status == 429, "refused while locked")
        #expect(try lockedUntil(g, "pier.lock2") == before, "the right password does not lengthen the lock")
        #expect(try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:pier.lock2'").first?.decode("failures", as: Int.self) == failures)

        _ = login(g, "pier.lock2", "wrong password 2")
        #expect(try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:pier.lock2'").first?.decode("failures", as: Int.self) == failures.map { $0 + 1 },
                "a wrong one during the lock still counts")
    }

    @Test func aDisabledOperatorIsAnsweredLikeAWrongPassword() throws {
        let g = try InProcessGateway()
        let created = g.send("POST", "/api/ota/operators", body: #"{"username":"pier.off","password":"correct horse battery","display_name":"P"}"#)
        let id = try #require(created.json["operator_id"] as? Int)
        #expect(g.send("POST", "/api/ota/operators/\(id)/disable").status == 200)
        let disabled = login(g, "pier.off", "correct horse battery")
        let wrong = login(g, "pier.off", "not the password 1")
        let unknown = login(g, "nobody.here", "not the password 1")
        for r in [disabled, wrong, unknown] {
            #expect(r.status == 401)
            #expect(r.code == "invalid_credentials")
            #expect(r.json["detail"] as? String == "Unknown username or wrong password.")
        }
    }
}
