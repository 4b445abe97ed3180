use wasmtier::{Config, Engine, Instance, Module, Store, Tier};

fn engine() -> Engine {
    Engine::new(Config::new().tier(Tier::Jit)).unwrap()
}

#[test]
fn add_and_loop() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
            (func (export "sum") (param i32) (result i64) (local i64)
              (block (loop
                (br_if 1 (i32.eqz (local.get 0)))
                (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br 0)))
              (local.get 1))
            (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let add = inst
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
    let sum = inst.get_typed_func::<i32, i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 100).unwrap(), 5050);
    let div = inst
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    let err = div.call(&mut store, (1, 0)).unwrap_err();
    assert_eq!(err.to_string(), "integer divide by zero");
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
}
