//go:build !noasm

#include "textflag.h"

// BatchNorm's per-plane loops in AVX-512, n a multiple of 16 (batchnorm_amd64.go). The sums
// convert each float32 to float64 and keep two float64 accumulators per sum.

// reduce8 sums the eight float64 lanes of Z0 into X0.
#define REDUCE8 \
	VEXTRACTF64X4 $1, Z0, Y1 \
	VADDPD Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPD X1, X0, X0 \
	VUNPCKHPD X0, X0, X1 \
	VADDSD X1, X0, X0

// func sumPlane(x *float32, n int) float64
TEXT ·sumPlane(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z2, Z2, Z2
sum:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z2, Z2
	ADDQ $64, SI
	SUBQ $16, CX
	JNE sum
	VADDPD Z2, Z0, Z0
	REDUCE8
	MOVSD X0, ret+16(FP)
	VZEROUPPER
	RET

// func squaresPlane(x *float32, n int, mu float64) float64
TEXT ·squaresPlane(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD mu+16(FP), Z6
	VPXORQ Z0, Z0, Z0
	VPXORQ Z2, Z2, Z2
squares:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VSUBPD Z6, Z4, Z4
	VSUBPD Z6, Z5, Z5
	VFMADD231PD Z4, Z4, Z0
	VFMADD231PD Z5, Z5, Z2
	ADDQ $64, SI
	SUBQ $16, CX
	JNE squares
	VADDPD Z2, Z0, Z0
	REDUCE8
	MOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func gradSumsPlane(dy, x *float32, n int, mu float64) (sdy, sdyx float64)
TEXT ·gradSumsPlane(SB), NOSPLIT, $0-48
	MOVQ dy+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD mu+24(FP), Z6
	VPXORQ Z0, Z0, Z0
	VPXORQ Z2, Z2, Z2
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
gradsums:
	VCVTPS2PD (DI), Z4
	VCVTPS2PD 32(DI), Z5
	VCVTPS2PD (SI), Z10
	VCVTPS2PD 32(SI), Z11
	VSUBPD Z6, Z10, Z10
	VSUBPD Z6, Z11, Z11
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z2, Z2
	VFMADD231PD Z4, Z10, Z8
	VFMADD231PD Z5, Z11, Z9
	ADDQ $64, DI
	ADDQ $64, SI
	SUBQ $16, CX
	JNE gradsums
	VADDPD Z2, Z0, Z0
	REDUCE8
	MOVSD X0, sdy+32(FP)
	VADDPD Z9, Z8, Z0
	REDUCE8
	MOVSD X0, sdyx+40(FP)
	VZEROUPPER
	RET

// func affinePlane(out, x *float32, n int, scale, shift float32)
// out = x·scale + shift, the product rounded before the sum (not fused), as Go computes it:
// the same bits as the loop it replaces.
TEXT ·affinePlane(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS scale+24(FP), Z6
	VBROADCASTSS shift+28(FP), Z7
affine:
	VMULPS (SI), Z6, Z0
	VADDPS Z7, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNE affine
	VZEROUPPER
	RET

// func backwardPlane(dx, dy, x *float32, n int, k, m, mu, q float64)
// dx += float32(k·((dy − m) − (x − mu)·q)), the bracket in float64: BatchNorm's input gradient
// is a small difference of larger terms where the output gradient is nearly flat.
TEXT ·backwardPlane(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), DX
	MOVQ dy+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VBROADCASTSD k+32(FP), Z5
	VBROADCASTSD m+40(FP), Z6
	VBROADCASTSD mu+48(FP), Z7
	VBROADCASTSD q+56(FP), Z8
backward:
	VCVTPS2PD (SI), Z0
	VCVTPS2PD 32(SI), Z1
	VSUBPD Z7, Z0, Z0
	VSUBPD Z7, Z1, Z1
	VCVTPS2PD (DI), Z2
	VCVTPS2PD 32(DI), Z3
	VSUBPD Z6, Z2, Z2
	VSUBPD Z6, Z3, Z3
	VFNMADD231PD Z8, Z0, Z2
	VFNMADD231PD Z8, Z1, Z3
	VMULPD Z5, Z2, Z2
	VMULPD Z5, Z3, Z3
	VCVTPD2PS Z2, Y2
	VCVTPD2PS Z3, Y3
	VADDPS (DX), Y2, Y2
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $16, CX
	JNE backward
	VZEROUPPER
	RET
