//go:build !noasm

#include "textflag.h"

// DOT_ARGS loads the dot kernels' arguments: k in CX, A in SI, B in DI, C in DX, and the
// strides lda, ldb, ldc in bytes in R8, R9, R10.
#define DOT_ARGS \
	MOVQ k+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ lda+16(FP), R8; \
	SHLQ $2, R8; \
	MOVQ b+24(FP), DI; \
	MOVQ ldb+32(FP), R9; \
	SHLQ $2, R9; \
	MOVQ c+40(FP), DX; \
	MOVQ ldc+48(FP), R10; \
	SHLQ $2, R10

// ADD_SUM_Y adds the sum of the 8 lanes of accumulator Y (X its low half; X14 is scratch) to
// the float at addr.
#define ADD_SUM_Y(Y, X, addr) \
	VEXTRACTF128 $1, Y, X14; \
	VADDPS X14, X, X; \
	VHADDPS X, X, X; \
	VHADDPS X, X, X; \
	VADDSS addr, X, X; \
	VMOVSS X, addr

#define ADD_SUMS_ROW(Z0, Z1, Z2, Z3, Y0, Y1, Y2, Y3, X0) \
	VEXTRACTF32X8 $1, Z0, Y24; \
	VADDPS Y24, Y0, Y0; \
	VEXTRACTF32X8 $1, Z1, Y25; \
	VADDPS Y25, Y1, Y1; \
	VEXTRACTF32X8 $1, Z2, Y26; \
	VADDPS Y26, Y2, Y2; \
	VEXTRACTF32X8 $1, Z3, Y27; \
	VADDPS Y27, Y3, Y3; \
	VHADDPS Y1, Y0, Y0; \
	VHADDPS Y3, Y2, Y2; \
	VHADDPS Y2, Y0, Y0; \
	VEXTRACTF32X4 $1, Y0, X24; \
	VADDPS X24, X0, X0; \
	VADDSS (DX), X0, X25; \
	VMOVSS X25, (DX); \
	VMOVSHDUP X0, X26; \
	VADDSS (DX)(R11*1), X26, X26; \
	VMOVSS X26, (DX)(R11*1); \
	VMOVHLPS X0, X0, X27; \
	VADDSS (DX)(R11*2), X27, X27; \
	VMOVSS X27, (DX)(R11*2); \
	VSHUFPS $0xff, X0, X0, X28; \
	VADDSS (DX)(R12*1), X28, X28; \
	VMOVSS X28, (DX)(R12*1)

// func sdotKernel4x4(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)
// C[i][j] += dot(A row i, B row j) for a 4×4 tile, rows of k floats (k a multiple of 16) at
// strides lda and ldb floats, C's rows ldc and its columns ldcCol floats apart: the product
// a·bᵀ when both operands run along k in memory, so neither is packed. Accumulators Z0..Z15 (row i, column j in Z(4i+j)), A rows in Z16..Z19,
// B rows in Z20..Z23; each accumulator is summed across its 16 lanes at the end.
TEXT ·sdotKernel4x4(SB), NOSPLIT, $0-64
	DOT_ARGS
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	VXORPS Z8, Z8, Z8
	VXORPS Z9, Z9, Z9
	VXORPS Z10, Z10, Z10
	VXORPS Z11, Z11, Z11
	VXORPS Z12, Z12, Z12
	VXORPS Z13, Z13, Z13
	VXORPS Z14, Z14, Z14
	VXORPS Z15, Z15, Z15
	LEAQ (SI)(R8*1), R11
	LEAQ (R11)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (DI)(R9*1), R14
	LEAQ (R14)(R9*1), R15
	LEAQ (R15)(R9*1), BX
	XORQ AX, AX
	SHLQ $2, CX // k in bytes
	TESTQ CX, CX
	JEQ reduce
loop:
	VMOVUPS (SI)(AX*1), Z16
	VMOVUPS (R11)(AX*1), Z17
	VMOVUPS (R12)(AX*1), Z18
	VMOVUPS (R13)(AX*1), Z19
	VMOVUPS (DI)(AX*1), Z20
	VMOVUPS (R14)(AX*1), Z21
	VMOVUPS (R15)(AX*1), Z22
	VMOVUPS (BX)(AX*1), Z23
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z16, Z21, Z1
	VFMADD231PS Z16, Z22, Z2
	VFMADD231PS Z16, Z23, Z3
	VFMADD231PS Z17, Z20, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z17, Z22, Z6
	VFMADD231PS Z17, Z23, Z7
	VFMADD231PS Z18, Z20, Z8
	VFMADD231PS Z18, Z21, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z18, Z23, Z11
	VFMADD231PS Z19, Z20, Z12
	VFMADD231PS Z19, Z21, Z13
	VFMADD231PS Z19, Z22, Z14
	VFMADD231PS Z19, Z23, Z15
	ADDQ $64, AX
	CMPQ AX, CX
	JLT loop
reduce:
	MOVQ ldcCol+56(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	ADD_SUMS_ROW(Z0, Z1, Z2, Z3, Y0, Y1, Y2, Y3, X0)
	ADDQ R10, DX
	ADD_SUMS_ROW(Z4, Z5, Z6, Z7, Y4, Y5, Y6, Y7, X4)
	ADDQ R10, DX
	ADD_SUMS_ROW(Z8, Z9, Z10, Z11, Y8, Y9, Y10, Y11, X8)
	ADDQ R10, DX
	ADD_SUMS_ROW(Z12, Z13, Z14, Z15, Y12, Y13, Y14, Y15, X12)
	VZEROUPPER
	RET

// func sdotKernel2x4AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)
// The AVX2+FMA form of sdotKernel4x4 for a 2×4 tile (k a multiple of 8): accumulators
// Y0..Y7 (row i, column j in Y(4i+j)), A rows in Y8, Y9, B rows in Y10..Y13.
TEXT ·sdotKernel2x4AVX2(SB), NOSPLIT, $0-64
	DOT_ARGS
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	LEAQ (SI)(R8*1), R11
	LEAQ (DI)(R9*1), R14
	LEAQ (R14)(R9*1), R15
	LEAQ (R15)(R9*1), BX
	XORQ AX, AX
	SHLQ $2, CX
	TESTQ CX, CX
	JEQ reduce2
loop2:
	VMOVUPS (SI)(AX*1), Y8
	VMOVUPS (R11)(AX*1), Y9
	VMOVUPS (DI)(AX*1), Y10
	VMOVUPS (R14)(AX*1), Y11
	VMOVUPS (R15)(AX*1), Y12
	VMOVUPS (BX)(AX*1), Y13
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y8, Y11, Y1
	VFMADD231PS Y8, Y12, Y2
	VFMADD231PS Y8, Y13, Y3
	VFMADD231PS Y9, Y10, Y4
	VFMADD231PS Y9, Y11, Y5
	VFMADD231PS Y9, Y12, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $32, AX
	CMPQ AX, CX
	JLT loop2
reduce2:
	MOVQ ldcCol+56(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	ADD_SUM_Y(Y0, X0, (DX))
	ADD_SUM_Y(Y1, X1, (DX)(R11*1))
	ADD_SUM_Y(Y2, X2, (DX)(R11*2))
	ADD_SUM_Y(Y3, X3, (DX)(R12*1))
	ADDQ R10, DX
	ADD_SUM_Y(Y4, X4, (DX))
	ADD_SUM_Y(Y5, X5, (DX)(R11*1))
	ADD_SUM_Y(Y6, X6, (DX)(R11*2))
	ADD_SUM_Y(Y7, X7, (DX)(R12*1))
	VZEROUPPER
	RET
