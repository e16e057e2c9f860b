/// What a venue operator's password must be, checked when it is set (not at login).
///
/// In the spirit of NIST SP 800-63B: length matters most, so long passphrases are not
/// forced into character classes; short ones must mix at least two.
/// - 10 to 128 characters (Unicode characters as a person counts them);
/// - no control characters (tabs, newlines: invisible, and a sign of a paste gone wrong);
/// - under 16 characters: at least two of lower case, upper case, digits, other symbols
///   (spaces and letters without case count as symbols);
/// - at least 5 different characters ("aaaaaaaaaa", "ababababab" are refused);
/// - not one of a short list of the most common passwords, and not containing the username.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumLength = 128
    /// Below this, two character classes are required.
    public static let passphraseLength = 16

    /// nil when acceptable; otherwise why not, as a sentence fragment for an API error
    /// ("password <reason>"). Never echoes the password.
    public static func violation(_ password: String, username: String? = nil) -> String? {
        let length = password.count
        if length < minimumLength { return "must be at least \(minimumLength) characters long" }
        if length > maximumLength { return "must be at most \(maximumLength) characters long" }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters such as tabs or line breaks"
        }
        if Set(password).count < 5 { return "must use at least 5 different characters" }
        if length < passphraseLength, classes(password) < 2 {
            return "shorter than \(passphraseLength) characters must mix at least two of lower case, upper case, digits and symbols"
        }
        let folded = password.lowercased()
        if common.contains(folded) { return "is too common; choose another" }
        if let username, username.count >= 3, folded.contains(username.lowercased()) {
            return "must not contain the username"
        }
        return nil
    }

    static func classes(_ password: String) -> Int {
        var lower = false, upper = false, digit = false, other = false
        for c in password {
            if c.isLowercase { lower = true } else if c.isUppercase { upper = true } else if c.isNumber { digit = true } else { other = true }
        }
        return [lower, upper, digit, other].filter { $0 }.count
    }

    /// The most common passwords of 10+ characters that the rules above would let through.
    static let common: Set<String> = [
        "password12", "password123", "password1234", "password!!", "password01", "passw0rd12",
        "qwerty1234", "qwertyuiop1", "qwerty12345", "1q2w3e4r5t", "1qaz2wsx3edc", "zaq12wsxcde",
        "abcdef1234", "abcd123456", "iloveyou12", "welcome123", "letmein123", "admin12345",
        "administrator1", "changeme123", "football123", "monkey12345", "sunshine123", "princess123",
        "dragon12345", "master12345", "superman123", "trustno1234", "baseball123", "starwars123",
    ]
}
