// The WebGPU device layer under the engine's "webgpu" backend (engine/backend/webgpu, Go through
// syscall/js). The Go side owns the arithmetic (its WGSL kernels and their parameters); this
// file owns the device: buffers by number, pipelines compiled once, dispatches recorded into
// one command encoder and submitted at a read or a write, parameters in a ring of uniform
// slots, bind groups cached by pipeline and buffers.
//
//   await gradsignGPU.init()   -> {adapter, software, limits} or null where there is no adapter
//   gradsignGPU.session()      -> a Session: one per Go backend (each has its own encoder)
//
// A Session's methods take byte offsets and sizes, multiples of 4.
(() => {
  const SLOT = 256; // minUniformBufferOffsetAlignment in every WebGPU implementation
  const SLOTS = 4096;
  const PARAMS = 64; // bytes of a kernel's parameters at most (16 values)

  let device = null;
  let info = null;
  let lostOrError = null; // the first device error: every later read rejects with it
  const pipelines = new Map(); // name -> {pipeline, layout}

  class Session {
    constructor() {
      this.buffers = new Map();
      this.nextId = 1;
      this.encoder = null;
      this.pass = null;
      this.ring = device.createBuffer({ size: SLOT * SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.ringHost = new Uint8Array(SLOT * SLOTS);
      this.slot = 0;
      this.bindGroups = new Map();
    }

    alloc(bytes) {
      const id = this.nextId++;
      const size = Math.max(4, Math.ceil(bytes / 4) * 4);
      this.buffers.set(id, device.createBuffer({
        size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      }));
      return id;
    }

    free(id) {
      const b = this.buffers.get(id);
      if (!b) return;
      this.buffers.delete(id);
      for (const key of this.bindGroups.keys()) {
        if (key.split(':')[1].split(',').includes(String(id))) this.bindGroups.delete(key);
      }
      b.destroy();
    }

    // destroy frees every buffer of the session; it is not used after.
    destroy() {
      this.flush();
      for (const b of this.buffers.values()) b.destroy();
      this.buffers.clear();
      this.bindGroups.clear();
      this.ring.destroy();
    }

    // write puts bytes (a Uint8Array) at off of buffer id, after every dispatch recorded so far.
    write(id, off, bytes) {
      this.flush();
      device.queue.writeBuffer(this.buffers.get(id), off, bytes);
    }

    clear(id, off, bytes) {
      if (bytes === 0) return;
      this.endPass();
      this.encoder.clearBuffer(this.buffers.get(id), off, bytes);
    }

    copy(dst, src, bytes) {
      if (bytes === 0) return;
      this.endPass();
      this.encoder.copyBufferToBuffer(this.buffers.get(src), 0, this.buffers.get(dst), 0, bytes);
    }

    // dispatch runs kernel name (compiled by define) with params (numbers: u32, or f32 where
    // floats[i] is true) over groupsX × groupsY × groupsZ workgroups, its bindings 1.. on
    // buffers ids.
    dispatch(name, params, floats, ids, groupsX, groupsY, groupsZ) {
      const k = pipelines.get(name);
      if (!k) throw new Error(`webgpu: kernel ${name} not defined`);
      if (this.slot === SLOTS) this.flush();
      const view = new DataView(this.ringHost.buffer, this.slot * SLOT, PARAMS);
      params.forEach((v, i) => (floats[i] ? view.setFloat32(4 * i, v, true) : view.setUint32(4 * i, v, true)));
      const key = `${name}:${ids.join(',')}`;
      let group = this.bindGroups.get(key);
      if (!group) {
        group = device.createBindGroup({
          layout: k.layout,
          entries: [{ binding: 0, resource: { buffer: this.ring, size: PARAMS } },
            ...ids.map((id, i) => ({ binding: i + 1, resource: { buffer: this.buffers.get(id) } }))],
        });
        this.bindGroups.set(key, group);
      }
      if (!this.pass) {
        this.begin();
        this.pass = this.encoder.beginComputePass();
      }
      this.pass.setPipeline(k.pipeline);
      this.pass.setBindGroup(0, group, [this.slot * SLOT]);
      this.pass.dispatchWorkgroups(groupsX, groupsY, groupsZ);
      this.slot++;
    }

    // read resolves to a Uint8Array of bytes bytes at off of buffer id, after every dispatch
    // recorded so far.
    async read(id, off, bytes) {
      this.endPass();
      const staging = device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      if (bytes > 0) this.encoder.copyBufferToBuffer(this.buffers.get(id), off, staging, 0, bytes);
      this.flush();
      try {
        await staging.mapAsync(GPUMapMode.READ);
        if (lostOrError) throw new Error(`webgpu: ${lostOrError}`);
        return new Uint8Array(staging.getMappedRange(0, bytes).slice(0));
      } finally {
        staging.destroy();
      }
    }

    // sync resolves when the device has run every dispatch recorded so far.
    async sync() {
      this.flush();
      await device.queue.onSubmittedWorkDone();
      if (lostOrError) throw new Error(`webgpu: ${lostOrError}`);
    }

    begin() {
      if (!this.encoder) this.encoder = device.createCommandEncoder();
    }

    endPass() {
      this.begin();
      if (this.pass) {
        this.pass.end();
        this.pass = null;
      }
    }

    // flush submits what was recorded, with the parameters it uses.
    flush() {
      if (!this.encoder) return;
      this.endPass();
      if (this.slot > 0) device.queue.writeBuffer(this.ring, 0, this.ringHost, 0, this.slot * SLOT);
      device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.slot = 0;
    }
  }

  // bindingType is a binding's buffer type from its letter: r read-only storage, w storage.
  const bindingType = { r: 'read-only-storage', w: 'storage' };

  self.gradsignGPU = {
    // init finds an adapter and opens a device with the adapter's largest buffer limits;
    // null where there is none (no navigator.gpu, or no adapter).
    async init() {
      if (device) return info;
      const adapter = await self.navigator?.gpu?.requestAdapter();
      if (!adapter) return null;
      const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage'];
      const requiredLimits = Object.fromEntries(want.map((k) => [k, adapter.limits[k]]));
      device = await adapter.requestDevice({ requiredLimits });
      device.onuncapturederror = (e) => { lostOrError ??= e.error.message; };
      device.lost.then((l) => { lostOrError ??= `device lost: ${l.message}`; });
      const a = adapter.info || {};
      const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unknown adapter';
      info = {
        adapter: name,
        // software: the CPU standing in for a GPU (the browser's fallback adapter, or one of the
        // software rasterisers by name), slower than the wasm engine: 'auto' passes it by.
        software: a.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|softpipe|basic render|\bwarp\b/i.test(name),
        limits: Object.fromEntries(want.map((k) => [k, device.limits[k]])),
      };
      return info;
    },
    get info() { return info; },
    // define compiles kernel name from WGSL code once; spec has a letter per binding after the
    // parameters (binding 0): r read-only storage, w storage.
    define(name, code, spec) {
      if (pipelines.has(name)) return;
      const layout = device.createBindGroupLayout({
        entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
          ...[...spec].map((c, i) => ({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: bindingType[c] } }))],
      });
      const pipeline = device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
      });
      pipelines.set(name, { pipeline, layout });
    },
    session() {
      if (!device) throw new Error('webgpu: gradsignGPU.init() found no adapter');
      return new Session();
    },
  };
})();
