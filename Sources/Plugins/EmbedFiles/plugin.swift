// Embeds a target's static files (listed in `embedded` by target) in its binary as
// `EmbeddedFiles.<name>` byte constants, generated at build time by Sources/Tools/embed-files.
// A local build-tool plugin, not a package dependency.
import Foundation
import PackagePlugin

@main
struct EmbedFiles: BuildToolPlugin {
    /// Target name -> (constant name, file inside the target's directory).
    static let embedded: [String: [(name: String, file: String)]] = [
        "OTAGateway": [(name: "openapiYAML", file: "openapi.yaml"), (name: "consoleCSS", file: "console.css")],
    ]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let files = Self.embedded[target.name] else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        let inputs = files.map { target.directoryURL.appending(path: $0.file) }
        return [
            .buildCommand(
                displayName: "Embedding \(files.map(\.file).joined(separator: ", ")) in \(target.name)",
                executable: try context.tool(named: "embed-files").url,
                arguments: [output.path] + zip(files, inputs).map { "\($0.name)=\($1.path)" },
                inputFiles: inputs,
                outputFiles: [output]),
        ]
    }
}
