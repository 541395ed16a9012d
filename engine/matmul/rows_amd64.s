//go:build !noasm

#include "textflag.h"

// func sumRows64(n int, w *float32, taps int, b *float32, offs *int, out *float32)
// out[j] = Σ_p w[p]·b[offs[p]+j] for j < n (a multiple of 64): for each block of 64 outputs,
// four accumulators take every row's product, then are stored.
TEXT ·sumRows64(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), R13
	SHLQ $2, R13 // n in bytes
	MOVQ w+8(FP), SI
	MOVQ taps+16(FP), BX
	MOVQ b+24(FP), DI
	MOVQ offs+32(FP), R14
	MOVQ out+40(FP), DX
	XORQ R8, R8 // the block's byte offset
block:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ R14, R9
	MOVQ SI, R10
	MOVQ BX, CX
tap:
	MOVQ (R9), R11
	LEAQ (DI)(R11*4), R12
	ADDQ R8, R12
	VBROADCASTSS (R10), Z4
	VFMADD231PS (R12), Z4, Z0
	VFMADD231PS 64(R12), Z4, Z1
	VFMADD231PS 128(R12), Z4, Z2
	VFMADD231PS 192(R12), Z4, Z3
	ADDQ $8, R9
	ADDQ $4, R10
	DECQ CX
	JNE tap
	VMOVUPS Z0, (DX)(R8*1)
	VMOVUPS Z1, 64(DX)(R8*1)
	VMOVUPS Z2, 128(DX)(R8*1)
	VMOVUPS Z3, 192(DX)(R8*1)
	ADDQ $256, R8
	CMPQ R8, R13
	JLT block
	VZEROUPPER
	RET

// func dotRows64(n int, a *float32, b *float32, offs *int, rows int, out *float32)
// out[p] = Σ_j a[j]·b[offs[p]+j] over j < n (a multiple of 64), four accumulators per row.
TEXT ·dotRows64(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), R13
	SHLQ $2, R13
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ offs+24(FP), R9
	MOVQ rows+32(FP), CX
	MOVQ out+40(FP), DX
row:
	MOVQ (R9), R11
	LEAQ (DI)(R11*4), R12
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	XORQ R8, R8
dot:
	VMOVUPS (SI)(R8*1), Z4
	VFMADD231PS (R12)(R8*1), Z4, Z0
	VMOVUPS 64(SI)(R8*1), Z5
	VFMADD231PS 64(R12)(R8*1), Z5, Z1
	VMOVUPS 128(SI)(R8*1), Z6
	VFMADD231PS 128(R12)(R8*1), Z6, Z2
	VMOVUPS 192(SI)(R8*1), Z7
	VFMADD231PS 192(R12)(R8*1), Z7, Z3
	ADDQ $256, R8
	CMPQ R8, R13
	JLT dot
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS Y1, Y0, Y0
	VEXTRACTF32X4 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, (DX)
	ADDQ $4, DX
	ADDQ $8, R9
	DECQ CX
	JNE row
	VZEROUPPER
	RET
