//! In-memory stdio for embedders and tests: capture a guest's output, feed it input.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

/// A cloneable in-memory sink: give one clone to `WasiCtxBuilder::stdout`, keep another to
/// read what the guest wrote.
#[derive(Clone, Default)]
pub struct WritePipe {
    buf: Arc<Mutex<Vec<u8>>>,
}

impl WritePipe {
    pub fn new_in_memory() -> WritePipe {
        WritePipe::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Everything written so far, as (lossy) UTF-8.
    pub fn contents_string(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }
}

impl Write for WritePipe {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Guest stdin from a fixed byte string.
pub struct ReadPipe {
    data: io::Cursor<Vec<u8>>,
}

impl ReadPipe {
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> ReadPipe {
        ReadPipe {
            data: io::Cursor::new(bytes.into()),
        }
    }
}

impl Read for ReadPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.read(buf)
    }
}
