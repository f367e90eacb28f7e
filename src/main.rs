use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    brandgraph::cli::run(brandgraph::cli::Cli::parse()).await
}
