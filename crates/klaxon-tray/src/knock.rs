//! A second launch of Klaxon while the tray runs (the desktop's menu, a double-click) must not
//! start a second engine: it knocks on the running tray's socket (`tray.sock` in the data dir,
//! 0600 in the 0700 dir) and the tray opens its window, as its own child, so Quit and a logout
//! close it too. Where no tray answers (the engine is `klaxon run`'s), the launch opens the
//! window itself.

use std::path::Path;
use std::time::Duration;

use interprocess::local_socket::tokio::{Listener, Stream, prelude::*};
use interprocess::local_socket::{GenericFilePath, ListenerOptions};
use klaxon_core::paths::DataFiles;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a knock says.
const OPEN: &[u8] = b"open\n";
/// A tray that does not take the knock within this is not there (or hung): the launch opens
/// the window itself.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// In the tray: listens for knocks and calls `open` for each, until the runtime stops.
pub fn listen(
    runtime: &tokio::runtime::Handle,
    data_dir: &Path,
    open: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    let path = DataFiles::new(data_dir).tray_socket();
    // A leftover from a tray that was killed: the engine's lock says this tray owns the dir.
    let _ = std::fs::remove_file(&path);
    let name = path.to_fs_name::<GenericFilePath>()?;
    let options = ListenerOptions::new().name(name);
    #[cfg(unix)]
    let options = {
        use interprocess::os::unix::local_socket::ListenerOptionsExt;
        options.mode(0o600)
    };
    let listener: Listener = {
        let _guard = runtime.enter();
        options.create_tokio()?
    };
    runtime.spawn(async move {
        loop {
            let Ok(mut conn) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            // One short line, read with a deadline: a client that says nothing holds nothing.
            let mut said = [0u8; OPEN.len()];
            let heard = tokio::time::timeout(ANSWER_WITHIN, conn.read_exact(&mut said)).await;
            if matches!(heard, Ok(Ok(_))) && said == OPEN {
                open();
                let _ = conn.write_all(b"ok\n").await;
            }
        }
    });
    Ok(())
}

/// In a second launch: asks the running tray to open its window; false when no tray took it.
pub async fn knock(data_dir: &Path) -> bool {
    let path = DataFiles::new(data_dir).tray_socket();
    let asked = async {
        let name = path.to_fs_name::<GenericFilePath>()?;
        let mut conn = Stream::connect(name).await?;
        conn.write_all(OPEN).await?;
        let mut answer = [0u8; 3];
        conn.read_exact(&mut answer).await?;
        std::io::Result::Ok(&answer == b"ok\n")
    };
    matches!(
        tokio::time::timeout(ANSWER_WITHIN, asked).await,
        Ok(Ok(true))
    )
}
