import Foundation
import Testing
@testable import OTAGateway
import Postgres

/// Operator login: lockouts that a correct password does not lengthen, and answers that
/// never confirm a password to someone who may not use it (issue 13, item 7).
@Suite struct OperatorLoginTests {
    func lockedUntil(_ g: InProcessGateway, _ username: String) throws -> String? {
        try g.sql("SELECT locked_until::text AS t FROM login_throttle WHERE throttle_key = \("u:ota-test-partner/" + username)").first?
            .decodeIfPresent("t", as: String.self)
    }

    func login(_ g: InProcessGateway, _ username: String, _ password: String) -> InProcessGateway.Answer {
        g.send("POST", "/operators/login", key: nil, body: #"{"partner":"ota-test-partner","username":"\#(username)","password":"\#(password)"}"#)
    }

    @Test func aCorrectPasswordDuringALockoutDoesNotLengthenIt() throws {
        let g = try InProcessGateway()
        #expect(g.send("POST", "/api/ota/operators", body: #"{"username":"pier.lock2","password":"correct horse battery","display_name":"P"}"#).status == 201)
        for _ in 0..<6 { _ = login(g, "pier.lock2", "wrong password 1") }
        let locked = login(g, "pier.lock2", "wrong password 1")
        #expect(locked.status == 429)
        #expect(locked.code == "login_locked")
        let before = try #require(try lockedUntil(g, "pier.lock2"))
        let failures = try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:ota-test-partner/pier.lock2'").first?.decode("failures", as: Int.self)

        let right = login(g, "pier.lock2", "correct horse battery")
        #expect(right.status == 429, "refused while locked")
        #expect(try lockedUntil(g, "pier.lock2") == before, "the right password does not lengthen the lock")
        #expect(try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:ota-test-partner/pier.lock2'").first?.decode("failures", as: Int.self) == failures)

        _ = login(g, "pier.lock2", "wrong password 2")
        #expect(try g.sql("SELECT failures FROM login_throttle WHERE throttle_key = 'u:ota-test-partner/pier.lock2'").first?.decode("failures", as: Int.self) == failures.map { $0 + 1 },
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

    /// Usernames are per partner: creating one tells nothing about another partner's, and
    /// another partner's failed logins never lock this partner's operator out.
    @Test func usernamesBelongToTheirPartner() throws {
        let g = try InProcessGateway()
        let body = #"{"username":"staff.same","password":"correct horse battery","display_name":"S"}"#
        #expect(g.send("POST", "/api/ota/operators", body: body).status == 201)
        let other = g.send("POST", "/api/ota/operators", key: InProcessGateway.otherKey, body: body)
        #expect(other.status == 201, "another partner's username is invisible: \(other.text)")
        #expect(g.send("POST", "/api/ota/operators", body: body).code == "username_taken", "unique within the partner")

        func login(_ partner: String, _ password: String) -> InProcessGateway.Answer {
            g.send("POST", "/operators/login", key: nil,
                   body: #"{"partner":"\#(partner)","username":"staff.same","password":"\#(password)"}"#)
        }
        // The other partner's operator is locked out by wrong passwords...
        for _ in 0..<8 { _ = login("ota251103", "wrong password 9") }
        #expect(login("ota251103", "correct horse battery").code == "login_locked")
        // ...and this partner's operator of the same name is not.
        let mine = login("ota-test-partner", "correct horse battery")
        #expect(mine.status == 200, "\(mine.text)")
        let partnerOfMine = try g.sql("SELECT p.code FROM operators o JOIN partners p USING (partner_id) WHERE o.operator_id = \((mine.json["operator"] as? [String: Any])?["operator_id"] as? Int ?? 0)")
        #expect(try partnerOfMine.first?.decode("code", as: String.self) == "ota-test-partner")
        // A login must name its partner.
        let anonymous = g.send("POST", "/operators/login", key: nil, body: #"{"username":"staff.same","password":"correct horse battery"}"#)
        #expect(anonymous.status == 422)
        #expect(anonymous.json["field"] as? String == "partner")
        #expect(login("no-such-partner", "correct horse battery").code == "invalid_credentials")
    }
}
