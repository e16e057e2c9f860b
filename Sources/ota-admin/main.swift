import Foundation
import OTAStore

let help = """
    ota-admin: operating the OTA channel service.

    Usage: ota-admin COMMAND [options]

    Commands:
      migrate [--dir DIR]   create missing functions, apply pending migrations, then changed function files (sql/functions) (default DIR: $OTA_MIGRATIONS_DIR,
                            else sql/migrations); each file is one transaction
      status                print the schema version of the database and of this build
      partner ...           create, list, show, disable, enable, set, permissions
      key ...               issue, list, revoke, rotate (a new key is printed once)
      allocation ...        show, set, move: the channels' allocations of a product
      allotment ...         set, list: a partner's cap inside the shared OTA pool
      venue ...             create, list: the partners' venues
      billing export ...    the billing lines of a period as CSV
      webhook ...           list, disable, enable the partners' webhook endpoints; reseal their secrets
      verify                check the inventory invariants (exit 3 on drift)
      console-user ...      create, list, disable, enable, password: accounts for /console (password from stdin)
      help                  this text

    Every command that changes something is one transaction: on failure nothing is changed.
    `ota-admin COMMAND --help` describes one command.
    Exit status: 0 done, 1 failed, 2 bad arguments, 3 drift (verify) or schema behind (status).

    Environment: OTA_DATABASE_URL (required)
    """

var group = Arguments(command: "", Array(CommandLine.arguments.dropFirst()))
let command = group.next() ?? "help"
do {
    switch command {
    case "help", "--help", "-h": print(help)
    case "migrate":
        var args = group.named("migrate")
        try SchemaCommands.migrate(&args)
    case "status":
        var args = group.named("status")
        try SchemaCommands.status(&args)
    case "partner": try PartnerCommands.run(group.named("partner"))
    case "key": try KeyCommands.run(group.named("key"))
    case "allocation": try AllocationCommands.allocation(group.named("allocation"))
    case "allotment": try AllocationCommands.allotment(group.named("allotment"))
    case "venue": try VenueCommands.run(group.named("venue"))
    case "verify": try VerifyCommand.run(group.named("verify"))
    case "billing": try BillingCommands.run(group.named("billing"))
    case "console-user": try ConsoleUserCommands.run(group.named("console-user"))
    case "webhook": try WebhookCommands.run(group.named("webhook"))
    default: throw AdminError.usage("unknown command \(command); see ota-admin help")
    }
} catch let error as AdminError {
    Console.error(error.message)
    exit(error.exitCode)
} catch {
    Console.error("\(error)")
    exit(1)
}
