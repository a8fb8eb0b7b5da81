use clap::Parser;

use greenq::cli::Cli;

// A request through ureq makes ~30 small allocations; glibc's malloc+free was an eighth
// of tail's instructions per notification, mimalloc's is a third of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let code = match greenq::run(&cli) {
        Ok(code) => code.code(),
        Err(e) => {
            if !e.silent {
                eprintln!("greenq: error: {e}");
            }
            e.code.code()
        }
    };
    std::process::exit(code);
}
