//! Translation of the `v128` instructions (SIMD and relaxed SIMD). A `v128` operand is two
//! entries of the operand stack, so it takes two consecutive slots (see `Translator::stack`).

use wasmparser::{MemArg, Operator};
use wasmtier_runtime::module::ModuleError;

use super::Translator;
use crate::ops::{
    LaneWidth, Op, V128BinOp, V128ExtractOp, V128LoadExtOp, V128ReplaceOp, V128ShiftOp,
    V128SplatOp, V128TernOp, V128TestOp, V128UnOp,
};

impl Translator<'_> {
    /// Translates a `v128` instruction; `Ok(false)` if `op` is not one.
    pub(super) fn translate_simd(&mut self, op: &Operator<'_>) -> Result<bool, ModuleError> {
        if let Some(op) = V128UnOp::of(op) {
            let a = self.pop_v128();
            let dst = self.push_v128_temp();
            self.emit(Op::V128Un { op, dst, a });
        } else if let Some(op) = V128BinOp::of(op) {
            let b = self.pop_v128();
            let a = self.pop_v128();
            let dst = self.push_v128_temp();
            self.emit(Op::V128Bin { op, dst, a, b });
        } else if let Some(op) = V128TernOp::of(op) {
            let c = self.pop_v128();
            let b = self.pop_v128();
            let a = self.pop_v128();
            let dst = self.push_v128_temp();
            self.emit(Op::V128Tern { op, dst, a, b, c });
        } else if let Some(op) = V128ShiftOp::of(op) {
            let n = self.pop();
            let n = self.read(n);
            let a = self.pop_v128();
            let dst = self.push_v128_temp();
            self.emit(Op::V128Shift { op, dst, a, n });
        } else if let Some(op) = V128TestOp::of(op) {
            let a = self.pop_v128();
            let dst = self.push_temp();
            self.emit(Op::V128Test { op, dst, a });
        } else if let Some(op) = V128SplatOp::of(op) {
            let x = self.pop();
            let x = self.read(x);
            let dst = self.push_v128_temp();
            self.emit(Op::V128Splat { op, dst, x });
        } else if let Some((op, lane)) = V128ExtractOp::of(op) {
            let a = self.pop_v128();
            let dst = self.push_temp();
            self.emit(Op::V128Extract { op, dst, a, lane });
        } else if let Some((op, lane)) = V128ReplaceOp::of(op) {
            let x = self.pop();
            let x = self.read(x);
            let a = self.pop_v128();
            let dst = self.push_v128_temp();
            self.emit(Op::V128Replace {
                op,
                dst,
                a,
                x,
                lane,
            });
        } else if let Some((op, memarg)) = V128LoadExtOp::of(op) {
            let addr = self.pop();
            let addr = self.read(addr);
            let memarg = self.memarg(memarg);
            let dst = self.push_v128_temp();
            self.emit(Op::V128LoadExt {
                op,
                dst,
                addr,
                memarg,
            });
        } else {
            return self.translate_simd_other(op);
        }
        Ok(true)
    }

    /// The `v128` instructions outside the families: plain loads and stores, lane loads and
    /// stores, shuffles.
    fn translate_simd_other(&mut self, op: &Operator<'_>) -> Result<bool, ModuleError> {
        match *op {
            Operator::I8x16Shuffle { lanes } => {
                let src = self.pop_span(4);
                let bits = u128::from_le_bytes(lanes);
                let index = self.consts.len() as u32;
                self.consts.push(bits as u64);
                self.consts.push((bits >> 64) as u64);
                self.push_v128_temp();
                self.emit(Op::V128Shuffle {
                    dst: src,
                    src,
                    index,
                });
            }
            Operator::V128Load { memarg } => {
                let addr = self.pop();
                let addr = self.read(addr);
                let memarg = self.memarg(memarg);
                let dst = self.push_v128_temp();
                self.emit(Op::V128Load { dst, addr, memarg });
            }
            Operator::V128Store { memarg } => {
                let value = self.pop_v128();
                let addr = self.pop();
                let addr = self.read(addr);
                let memarg = self.memarg(memarg);
                self.emit(Op::V128Store {
                    addr,
                    value,
                    memarg,
                });
            }
            Operator::V128Load8Lane { memarg, lane } => self.load_lane(LaneWidth::L8, memarg, lane),
            Operator::V128Load16Lane { memarg, lane } => {
                self.load_lane(LaneWidth::L16, memarg, lane)
            }
            Operator::V128Load32Lane { memarg, lane } => {
                self.load_lane(LaneWidth::L32, memarg, lane)
            }
            Operator::V128Load64Lane { memarg, lane } => {
                self.load_lane(LaneWidth::L64, memarg, lane)
            }
            Operator::V128Store8Lane { memarg, lane } => {
                self.store_lane(LaneWidth::L8, memarg, lane)
            }
            Operator::V128Store16Lane { memarg, lane } => {
                self.store_lane(LaneWidth::L16, memarg, lane)
            }
            Operator::V128Store32Lane { memarg, lane } => {
                self.store_lane(LaneWidth::L32, memarg, lane)
            }
            Operator::V128Store64Lane { memarg, lane } => {
                self.store_lane(LaneWidth::L64, memarg, lane)
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `v128.loadN_lane`: address and vector in three consecutive slots, which the result
    /// replaces.
    fn load_lane(&mut self, width: LaneWidth, memarg: MemArg, lane: u8) {
        let base = self.pop_span(3);
        let memarg = self.memarg(memarg);
        self.emit(Op::V128LoadLane {
            width,
            base,
            lane,
            memarg,
        });
        self.push_v128_temp();
    }

    fn store_lane(&mut self, width: LaneWidth, memarg: MemArg, lane: u8) {
        let base = self.pop_span(3);
        let memarg = self.memarg(memarg);
        self.emit(Op::V128StoreLane {
            width,
            base,
            lane,
            memarg,
        });
    }
}
